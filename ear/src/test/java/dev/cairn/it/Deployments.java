package dev.cairn.it;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.jboss.arquillian.container.test.api.Testable;
import org.jboss.shrinkwrap.api.ArchivePath;
import org.jboss.shrinkwrap.api.ArchivePaths;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/** The EAR this build produced, exactly as it ships (named cairn.ear, so the application is "cairn"). */
final class Deployments {

    private Deployments() {
    }

    static EnterpriseArchive shippedEar() {
        String path = System.getProperty("cairn.ear");
        if (path == null) {
            throw new IllegalStateException("system property cairn.ear is not set: run the integration tests through Maven (mvn verify)");
        }
        return ShrinkWrap.createFromZipFile(EnterpriseArchive.class, new File(path));
    }

    /**
     * The shipped EAR plus a test module, {@code cairn-it.war}, that carries
     * Arquillian's runner and {@code testClasses}. The runner must not live in
     * cairn.war, whose security constraints would refuse it.
     */
    static EnterpriseArchive shippedEarWithTestModule(Class<?>... testClasses) throws IOException {
        WebArchive testWar = ShrinkWrap.create(WebArchive.class, "cairn-it.war").addClasses(testClasses);
        return shippedEarWith(Testable.archiveToTest(testWar), "/cairn-it");
    }

    /**
     * {@code ear} with each of Cairn's roles granted to every caller, for a
     * test module that calls Cairn's EJBs to test their transactions and
     * errors, not their roles: its requests carry no user. SharingIT tests
     * that the shipped bindings refuse such a caller.
     */
    static EnterpriseArchive withEveryRoleForEveryone(EnterpriseArchive ear) throws IOException {
        ArchivePath bnd = ArchivePaths.create("META-INF/ibm-application-bnd.xml");
        String xml = new String(ear.get(bnd).getAsset().openStream().readAllBytes(), StandardCharsets.UTF_8);
        ear.delete(bnd);
        ear.add(new StringAsset(xml.replaceAll("<group name=\"(cairn-[a-z]+)\"/>",
                "<group name=\"$1\"/><special-subject type=\"EVERYONE\"/>")), bnd);
        return ear;
    }

    /** The shipped EAR plus {@code cairn-crash.war} at /cairn-crash, which drives XA transactions for the crash tests. */
    static EnterpriseArchive shippedEarWithCrashDriver() throws IOException {
        WebArchive war = ShrinkWrap.create(WebArchive.class, "cairn-crash.war").addClasses(XaDriverServlet.class, DerbyRows.class);
        return shippedEarWith(war, "/cairn-crash");
    }

    private static EnterpriseArchive shippedEarWith(WebArchive war, String contextRoot) throws IOException {
        EnterpriseArchive ear = shippedEar();
        ear.addAsModule(war);
        ArchivePath descriptor = ArchivePaths.create("META-INF/application.xml");
        String xml = new String(ear.get(descriptor).getAsset().openStream().readAllBytes(), StandardCharsets.UTF_8);
        ear.delete(descriptor);
        ear.add(new StringAsset(xml.replace("</application>", "<module><web><web-uri>" + war.getName()
                + "</web-uri><context-root>" + contextRoot + "</context-root></web></module></application>")), descriptor);
        return ear;
    }
}
