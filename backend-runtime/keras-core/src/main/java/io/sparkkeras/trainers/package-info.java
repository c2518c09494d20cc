/**
 * The training loop behind {@code fit}/{@code evaluate}/{@code predict}: batches from a {@link io.sparkkeras.utils.BatchDataset}, one backend scope per step, steps handed to the backend's {@code compile}.
 */
package io.sparkkeras.trainers;
