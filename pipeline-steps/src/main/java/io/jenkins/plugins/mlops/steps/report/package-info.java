/**
 * Reports over an MLflow run ({@link io.jenkins.plugins.mlops.steps.report.RunReport}): what the
 * demo writes as {@code report.html}, and what the Jenkins build page will show.
 */
package io.jenkins.plugins.mlops.steps.report;
