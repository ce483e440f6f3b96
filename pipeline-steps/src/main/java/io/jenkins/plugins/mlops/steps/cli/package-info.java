/**
 * The {@code mlops} command line (picocli): one class per subcommand, thin wrappers over the
 * services of the sibling packages. Exit codes: 0 success, 1 failure (for {@code gate}: not
 * passed), 2 usage error, 3 a subcommand whose implementation has not landed in this build.
 */
package io.jenkins.plugins.mlops.steps.cli;
