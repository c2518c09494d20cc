/**
 * Models: functional {@link io.sparkkeras.models.Model}, {@link io.sparkkeras.models.Sequential} and subclassed models, with {@code compile}, {@code fit}, {@code evaluate}, {@code predict} and {@code summary}.
 */
package io.sparkkeras.models;
