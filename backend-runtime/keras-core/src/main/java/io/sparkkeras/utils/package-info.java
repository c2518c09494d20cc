/**
 * Host-side data: {@link io.sparkkeras.utils.NdArray} (the role of numpy arrays), batches and the {@link io.sparkkeras.utils.BatchDataset} interface every data source implements, configs, the global seed.
 */
package io.sparkkeras.utils;
