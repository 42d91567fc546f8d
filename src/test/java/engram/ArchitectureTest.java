package engram;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * Packages by layer, imports pointing down: ops -> nn -> cells -> models -> train -> bench,
 * experiments, export, viz -> cli; data beside models; tasks (losses and metrics) over data and
 * ops, below train; distributed (replicas, all-reduce) over ops, below train; runtime (devices,
 * progress) and io (files and their problems) at the bottom, io depending on nothing but the JDK
 * and the CSV writer it hands every results table to.
 */
class ArchitectureTest {

  static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("engram");

  @Test
  void layersOnlyDependDownwards() {
    layeredArchitecture()
        .consideringOnlyDependenciesInLayers()
        .layer("io")
        .definedBy("engram.io..")
        .layer("runtime")
        .definedBy("engram.runtime..")
        .layer("ops")
        .definedBy("engram.ops..")
        .layer("nn")
        .definedBy("engram.nn..")
        .layer("cells")
        .definedBy("engram.cells..")
        .layer("models")
        .definedBy("engram.models..")
        .layer("data")
        .definedBy("engram.data..")
        .layer("tasks")
        .definedBy("engram.tasks..")
        .layer("distributed")
        .definedBy("engram.distributed..")
        .layer("train")
        .definedBy("engram.train..")
        .layer("bench")
        .definedBy("engram.bench..")
        .layer("experiments")
        .definedBy("engram.experiments..")
        .layer("export")
        .definedBy("engram.export..")
        .layer("viz")
        .definedBy("engram.viz..")
        .layer("cli")
        .definedBy("engram.cli..")
        .whereLayer("cli")
        .mayNotBeAccessedByAnyLayer()
        .whereLayer("export")
        .mayOnlyBeAccessedByLayers("cli")
        .whereLayer("viz")
        .mayOnlyBeAccessedByLayers("cli")
        .whereLayer("bench")
        .mayOnlyBeAccessedByLayers("cli")
        .whereLayer("experiments")
        .mayOnlyBeAccessedByLayers("cli")
        .whereLayer("train")
        .mayOnlyBeAccessedByLayers("bench", "experiments", "export", "viz", "cli")
        .whereLayer("distributed")
        .mayOnlyBeAccessedByLayers("train", "bench", "cli")
        .whereLayer("tasks")
        .mayOnlyBeAccessedByLayers("train", "bench", "experiments", "export", "cli")
        .whereLayer("data")
        .mayOnlyBeAccessedByLayers("tasks", "train", "bench", "experiments", "export", "cli")
        .whereLayer("models")
        .mayOnlyBeAccessedByLayers("train", "bench", "experiments", "export", "cli")
        .whereLayer("cells")
        .mayOnlyBeAccessedByLayers("models", "train", "bench", "experiments", "export", "cli")
        .whereLayer("nn")
        .mayOnlyBeAccessedByLayers("cells", "models", "train", "bench", "export")
        .whereLayer("runtime")
        .mayOnlyBeAccessedByLayers("train", "bench", "experiments", "export", "viz", "cli")
        .whereLayer("io")
        .mayOnlyBeAccessedByLayers("data", "train", "bench", "experiments", "export", "viz", "cli")
        .whereLayer("ops")
        .mayOnlyBeAccessedByLayers(
            "nn", "cells", "models", "tasks", "distributed", "train", "export")
        .check(MAIN);
  }

  @Test
  void ioStandsAlone() {
    noClasses()
        .that()
        .resideInAPackage("engram.io..")
        .should()
        .dependOnClassesThat()
        .resideOutsideOfPackages("engram.io..", "java..", "org.apache.commons.csv..")
        .check(MAIN);
  }

  @Test
  void noPackageCycles() {
    slices().matching("engram.(*)..").should().beFreeOfCycles().check(MAIN);
  }

  @Test
  void onlyTheCliReadsTheEnvironmentOrExits() {
    noClasses()
        .that()
        .resideOutsideOfPackage("engram.cli..")
        .should()
        .callMethod(System.class, "getenv", String.class)
        .orShould()
        .callMethod(System.class, "getenv")
        .orShould()
        .callMethod(System.class, "exit", int.class)
        .check(MAIN);
  }
}
