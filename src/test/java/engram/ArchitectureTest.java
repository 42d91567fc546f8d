package engram;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * Packages by layer, imports pointing down: ops -> nn -> cells -> models -> train -> export, viz ->
 * cli; data beside train; io (files and their problems) under data, train, export, viz and cli,
 * depending on nothing but the JDK.
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
        .layer("train")
        .definedBy("engram.train..")
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
        .whereLayer("train")
        .mayOnlyBeAccessedByLayers("export", "viz", "cli")
        .whereLayer("data")
        .mayOnlyBeAccessedByLayers("train", "export", "cli")
        .whereLayer("models")
        .mayOnlyBeAccessedByLayers("train", "export", "cli")
        .whereLayer("cells")
        .mayOnlyBeAccessedByLayers("models", "train", "export", "cli")
        .whereLayer("nn")
        .mayOnlyBeAccessedByLayers("cells", "models", "train", "export")
        .whereLayer("io")
        .mayOnlyBeAccessedByLayers("data", "train", "export", "viz", "cli")
        .whereLayer("ops")
        .mayOnlyBeAccessedByLayers("nn", "cells", "models", "train", "export")
        .check(MAIN);
  }

  @Test
  void ioStandsAlone() {
    noClasses()
        .that()
        .resideInAPackage("engram.io..")
        .should()
        .dependOnClassesThat()
        .resideOutsideOfPackages("engram.io..", "java..")
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
