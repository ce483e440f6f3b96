package io.jenkins.plugins.mlops.steps;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The import rules of design.md and conventions.md, checked on the production classes this module
 * sees (its own and those of the modules it depends on), so they cannot rot.
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
  void onlyThePluginModuleKnowsJenkins() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.jenkins.plugins.mlops.jenkins..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("hudson..", "jenkins..", "org.jenkinsci..", "org.kohsuke..")
        .check(production);
  }

  @Test
  void onlyTheKubernetesBackendKnowsFabric8() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.jenkins.plugins.mlops.steps.training.kubernetes..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.fabric8..")
        .check(production);
  }

  @Test
  void theTrainingCoreKnowsNoBackend() {
    // The spec, launchers, result and MLflow side are shared by the local and Kubernetes backends.
    noClasses()
        .that()
        .resideInAPackage("io.jenkins.plugins.mlops.steps.training")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.jenkins.plugins.mlops.steps.training.local..",
            "io.jenkins.plugins.mlops.steps.training.kubernetes..")
        .check(production);
  }

  @Test
  void onlyTheTrackingModuleTalksToMlflow() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.jenkins.plugins.mlops.tracking..")
        .and()
        .resideOutsideOfPackage("io.jenkins.plugins.mlops.harness..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.mlflow..", "java.net.http..")
        .check(production);
  }

  @Test
  void productionCodeNeverUsesTheTestHarness() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.jenkins.plugins.mlops.harness..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.jenkins.plugins.mlops.harness..", "org.junit..")
        .check(production);
  }

  @Test
  void theBridgeKnowsOnlyTheTrackingModule() {
    noClasses()
        .that()
        .resideInAPackage("io.jenkins.plugins.mlops.tensorboard..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.jenkins.plugins.mlops.steps..",
            "io.jenkins.plugins.mlops.trainer..",
            "io.jenkins.plugins.mlops.jenkins..",
            "io.jenkins.plugins.mlops.tracking.internal..")
        .check(production);
  }

  @Test
  void pipelineStepsNeverCallTheTrainerAsALibrary() {
    noClasses()
        .that()
        .resideInAPackage("io.jenkins.plugins.mlops.steps..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.jenkins.plugins.mlops.trainer..")
        .check(production);
  }
}
