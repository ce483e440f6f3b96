package io.jenkins.plugins.mlops.tracking;

import java.util.List;

/**
 * A run search.
 *
 * @param experimentIds the experiments to search
 * @param filter an MLflow filter string, e.g. {@code metrics.accuracy > 0.9 and tags.team = 'x'}
 * @param orderBy order clauses, e.g. {@code metrics.accuracy DESC}
 * @param maxResults the page size (1 to 50000)
 * @param pageToken where the previous page ended, or empty for the first page
 */
public record RunQuery(
    List<String> experimentIds,
    String filter,
    List<String> orderBy,
    int maxResults,
    String pageToken) {

  public RunQuery {
    experimentIds = List.copyOf(experimentIds);
    if (experimentIds.isEmpty()) {
      throw new IllegalArgumentException("experimentIds may not be empty");
    }
    filter = filter == null ? "" : filter;
    orderBy = List.copyOf(orderBy);
    if (maxResults < 1 || maxResults > 50_000) {
      throw new IllegalArgumentException(
          "maxResults (" + maxResults + ") must be between 1 and 50000");
    }
    pageToken = pageToken == null ? "" : pageToken;
  }

  /** All runs of {@code experimentId} matching {@code filter}, 1000 a page, newest first. */
  public static RunQuery in(String experimentId, String filter) {
    return new RunQuery(List.of(experimentId), filter, List.of(), 1000, "");
  }

  /** The same query for the page after {@code token}. */
  public RunQuery page(String token) {
    return new RunQuery(experimentIds, filter, orderBy, maxResults, token);
  }

  /** The same query ordered by {@code clauses}. */
  public RunQuery orderedBy(String... clauses) {
    return new RunQuery(experimentIds, filter, List.of(clauses), maxResults, pageToken);
  }
}
