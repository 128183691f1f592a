// Runs many SPARQL queries over one dataset in a single JVM (Jena's `arq` runs one per start,
// ~3 s each). Used by tests/test_conformance.py through Java's single-file source launcher:
//   java -cp <Jena jars> tests/ArqBatch.java DATA.nq OUTDIR QUERY.rq...
// writes OUTDIR/<query name>.srj (SPARQL results JSON) or .nt for CONSTRUCT/DESCRIBE.
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.jena.query.Dataset;
import org.apache.jena.query.Query;
import org.apache.jena.query.QueryExecution;
import org.apache.jena.query.QueryExecutionFactory;
import org.apache.jena.query.QueryFactory;
import org.apache.jena.query.ResultSetFormatter;
import org.apache.jena.riot.Lang;
import org.apache.jena.riot.RDFDataMgr;

public class ArqBatch {
    public static void main(String[] args) throws Exception {
        Dataset dataset = RDFDataMgr.loadDataset(args[0]);
        Path out = Path.of(args[1]);
        for (int i = 2; i < args.length; i++) {
            Path file = Path.of(args[i]);
            String name = file.getFileName().toString().replaceFirst("\\.rq$", "");
            Query query = QueryFactory.read(file.toString());
            boolean graph = query.isConstructType() || query.isDescribeType();
            try (QueryExecution execution = QueryExecutionFactory.create(query, dataset);
                 OutputStream stream = Files.newOutputStream(out.resolve(name + (graph ? ".nt" : ".srj")))) {
                if (query.isSelectType()) {
                    ResultSetFormatter.outputAsJSON(stream, execution.execSelect());
                } else if (query.isAskType()) {
                    ResultSetFormatter.outputAsJSON(stream, execution.execAsk());
                } else {
                    RDFDataMgr.write(stream, query.isConstructType() ? execution.execConstruct()
                                     : execution.execDescribe(), Lang.NTRIPLES);
                }
            }
        }
    }
}
