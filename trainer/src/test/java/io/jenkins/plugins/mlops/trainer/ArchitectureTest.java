package io.jenkins.plugins.mlops.trainer;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * design.md's import rules for the trainer: the bridge and tracking's public API, nothing else of
 * ours.
 */
class ArchitectureTest {

  private static JavaClasses production;

  @BeforeAll
  static void importProductionClasses() {
    production =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.jenkins.plugins.mlops");
  }

  @Test
  void theTrainerKnowsOnlyTheBridgeAndTrackingsPublicApi() {
    noClasses()
        .that()
        .resideInAPackage("io.jenkins.plugins.mlops.trainer..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.jenkins.plugins.mlops.steps..",
            "io.jenkins.plugins.mlops.jenkins..",
            "io.jenkins.plugins.mlops.harness..",
            "io.jenkins.plugins.mlops.tracking.internal..",
            "io.jenkins.plugins.mlops.tensorboard.internal..",
            "org.junit..",
            "org.mlflow..",
            "java.net.http..",
            "io.fabric8..")
        .check(production);
  }
}
