package dev.cairn.web;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackages;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The web module uses the store only through Cairn's client API,
 * {@code dev.cairn.api} (and the application's own EJBs, {@code dev.cairn.ejb}):
 * never the engine, never the resource adapter's classes, which the server
 * loads apart from the application.
 */
class ArchitectureTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.cairn.web");

    @Test
    void usesOnlyTheClientApiOfCairn() {
        noClasses().that().resideInAPackage("dev.cairn.web..")
                .should().dependOnClassesThat(resideInAPackage("dev.cairn..")
                        .and(resideOutsideOfPackages("dev.cairn.api..", "dev.cairn.ejb..", "dev.cairn.web..")))
                .because("the engine and the resource adapter are the server's, reached through dev.cairn.api")
                .check(CLASSES);
    }
}
