package dev.cairn.engine.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.Test;

/**
 * The engine's layering: it imports no Jakarta (it runs outside a server too),
 * and its packages form no cycle, the root ({@code BlockStore}, {@code Store})
 * included: the subpackages reach the store through
 * {@code access.BlockAccess} and its threads through {@code work.Workers}.
 */
class ArchitectureTest {

    private static final String ENGINE_PACKAGE = "dev.cairn.engine";

    private static final JavaClasses ENGINE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ENGINE_PACKAGE);

    /** The root package is a slice of its own: {@code "dev.cairn.engine.(*).."} would leave it out. */
    private static final SliceAssignment ROOT_AND_SUBPACKAGES = new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass c) {
            String p = c.getPackageName();
            if (p.equals(ENGINE_PACKAGE)) {
                return SliceIdentifier.of("(root)");
            }
            if (p.startsWith(ENGINE_PACKAGE + ".")) {
                return SliceIdentifier.of(p.substring(ENGINE_PACKAGE.length() + 1).split("\\.")[0]);
            }
            return SliceIdentifier.ignore();
        }

        @Override
        public String getDescription() {
            return "the engine's packages (the root and each subpackage)";
        }
    };

    @Test
    void importsNoJakarta() {
        noClasses().that().resideInAPackage(ENGINE_PACKAGE + "..")
                .should().dependOnClassesThat().resideInAPackage("jakarta..")
                .because("the engine runs standalone too; the resource adapter (dev.cairn.ra) is what meets Jakarta")
                .check(ENGINE);
    }

    @Test
    void hasNoPackageCycles() {
        slices().assignedFrom(ROOT_AND_SUBPACKAGES)
                .should().beFreeOfCycles()
                .because("a subpackage reaches the root only through access.BlockAccess and work.Workers")
                .check(ENGINE);
    }
}
