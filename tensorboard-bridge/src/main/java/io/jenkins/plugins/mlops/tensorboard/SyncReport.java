package io.jenkins.plugins.mlops.tensorboard;

import java.time.Duration;

/**
 * What a sync did, over its whole life (including earlier processes it resumed from, for the
 * totals).
 *
 * @param runId the MLflow run synced into
 * @param points scalar points logged as metrics
 * @param histograms histogram summaries logged
 * @param images images uploaded
 * @param orphaned points dropped because a restart made them obsolete before they were sent
 * @param orphanedAlreadySent restarts whose orphaned points had already been sent (MLflow keeps
 *     them: a metric history cannot be withdrawn)
 * @param filesUploaded event-file uploads
 * @param passes passes made by this process
 * @param read what the reader saw in this process
 * @param elapsed time spent by this process
 */
public record SyncReport(
    String runId,
    long points,
    long histograms,
    long images,
    long orphaned,
    long orphanedAlreadySent,
    long filesUploaded,
    long passes,
    ReadStats.Snapshot read,
    Duration elapsed) {

  /** One line for a log. */
  public String describe() {
    StringBuilder s = new StringBuilder();
    s.append(
        String.format(
            java.util.Locale.ROOT,
            "%,d points, %,d histograms, %,d images in run %s; %,d event-file uploads",
            points,
            histograms,
            images,
            runId,
            filesUploaded));
    if (orphaned > 0 || orphanedAlreadySent > 0) {
      s.append("; ").append(orphaned).append(" orphaned points dropped");
    }
    if (read.badDataCrc() + read.unparseable() + read.deadFiles() > 0) {
      s.append("; corrupt: ")
          .append(read.badDataCrc() + read.unparseable())
          .append(" records, ")
          .append(read.deadFiles())
          .append(" files cut short");
    }
    return s.toString();
  }
}
