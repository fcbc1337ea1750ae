// The OWL 2 profiles an ontology is in: prints one line per violation, "<profile>\t<violation>", using the
// OWL API that HermiT's jar bundles. Run as a single-file program: java -cp HermiT.jar Profiles.java FILE
import java.io.File;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.*;
import org.semanticweb.owlapi.profiles.*;

public class Profiles {
    public static void main(String[] args) throws Exception {
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        OWLOntology ontology = manager.loadOntologyFromOntologyDocument(new File(args[0]));
        OWLProfile[] profiles = {new OWL2DLProfile(), new OWL2RLProfile()};
        for (OWLProfile profile : profiles) {
            OWLProfileReport report = profile.checkOntology(ontology);
            for (OWLProfileViolation v : report.getViolations())
                System.out.println(profile.getName() + "\t" + v.toString().replace('\n', ' '));
        }
    }
}
