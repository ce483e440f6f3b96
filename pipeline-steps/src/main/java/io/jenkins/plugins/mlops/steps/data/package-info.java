/**
 * The {@code prepareDataset} operation on DuckDB: reads CSV/TSV, Parquet or JSON lines out of core,
 * cleans, splits stably (by a hash, stratified, or by group), writes the splits and a {@link
 * io.jenkins.plugins.mlops.steps.data.DatasetManifest} with counts, statistics and a content
 * fingerprint.
 *
 * <p>Knows nothing of Jenkins or training; talks to MLflow only through the tracking module.
 */
package io.jenkins.plugins.mlops.steps.data;
