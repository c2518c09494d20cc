/**
 * Keras's {@code keras.datasets}, read from files installed on the machine (Debian packages); nothing is downloaded.
 */
package io.sparkkeras.datasets;
