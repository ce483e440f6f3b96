/**
 * The pipeline operations as Jenkins-free services, one sub-package per capability (data, training,
 * gate, promotion, sweep), and the {@code mlops} command line in {@code cli}.
 *
 * <p>Nothing here knows Jenkins (that is the {@code plugin} module's job) or the trainer program (a
 * program this module launches, never a library it calls).
 */
package io.jenkins.plugins.mlops.steps;
