package io.jenkins.plugins.mlops.tracking;

import java.util.List;

/**
 * One page of a run search.
 *
 * @param runs the runs of this page
 * @param nextPageToken the token for the next page, empty on the last page
 */
public record RunsPage(List<Run> runs, String nextPageToken) {

  public RunsPage {
    runs = List.copyOf(runs);
    nextPageToken = nextPageToken == null ? "" : nextPageToken;
  }

  /** Whether more pages follow. */
  public boolean hasNext() {
    return !nextPageToken.isEmpty();
  }
}
