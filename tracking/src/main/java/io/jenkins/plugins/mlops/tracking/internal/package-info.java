/**
 * Implementations behind {@link io.jenkins.plugins.mlops.tracking.TrackingClient}: the REST
 * transport (retries, auth, error mapping) and its facets. Callers name only the public package.
 */
package io.jenkins.plugins.mlops.tracking.internal;
