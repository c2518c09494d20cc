/**
 * Keras 3's file formats: {@code .keras} archives ({@link io.sparkkeras.saving.Models#load},
 * {@code Model.save}) and {@code .weights.h5} files ({@code Model.saveWeights} / {@code loadWeights}), read and
 * written exactly as Python Keras 3.10 does, so files move between the two.
 *
 * <ul>
 *   <li>{@link io.sparkkeras.saving.KerasFile}: the zip of {@code metadata.json}, {@code config.json},
 *   {@code model.weights.h5};</li>
 *   <li>{@link io.sparkkeras.saving.Serialization}: Keras's {@code serialize_keras_object} for layers, models,
 *   the compile config and optimizers; {@link io.sparkkeras.saving.SerializationRegistry} for user classes;</li>
 *   <li>{@link io.sparkkeras.saving.H5Weights}: which variable goes to which HDF5 path, as Keras's
 *   {@code _save_state} walks a model; {@code H5Io}: HDF5 through jHDF (pure Java).</li>
 * </ul>
 *
 * <p>Decisions: Keras stores the optimizer's step count as int64 and our optimizer keeps it in a float32 variable,
 * converted at this boundary. jHDF 0.13's {@code WritableHdfFile.close()} can overwrite a group header with its
 * info string, so {@code H5Io} flushes the tree itself with jHDF's public node writer. Group
 * attributes ({@code name}) are written as fixed-length strings where h5py writes variable-length ones; Keras does
 * not read them. Every reading failure is a {@link io.sparkkeras.saving.KerasFileException} naming the file, the
 * entry and what is wrong.
 */
package io.sparkkeras.saving;
