// What an exact total costs Lucene: the Lucene peer's index and queries, searched for the top 10
// as the peer does (counting stops at 1,000 matches, so block-max WAND may skip documents) and
// again with every match counted (what kavosh's exact total needs), on one thread and on two
// (the index's segments in slices on a pool, as IndexSearcher does with an executor).
//
//   scripts/lucene_totals.sh PEER_DIR INDEX_DIR [PASSES] < lucene-queries.txt
//
// Prints, per mode, nearest-rank p50/p99 over every query of every timed pass, after two
// untimed passes of every mode, and the slowest queries of the exact mode.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.lucene.analysis.fa.PersianAnalyzer;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.queryparser.classic.MultiFieldQueryParser;
import org.apache.lucene.queryparser.classic.QueryParser;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopScoreDocCollector;
import org.apache.lucene.store.FSDirectory;

public class LuceneTotals {
  interface Mode {
    TopDocs run(Query q) throws Exception;
  }

  public static void main(String[] args) throws Exception {
    int passes = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    List<String> lines = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      for (String l; (l = in.readLine()) != null; ) if (!l.isBlank()) lines.add(l);
    }
    MultiFieldQueryParser parser = new MultiFieldQueryParser(new String[] {"body", "title"}, new PersianAnalyzer());
    parser.setDefaultOperator(QueryParser.OR_OPERATOR);
    List<Query> queries = new ArrayList<>();
    for (String l : lines) {
      try {
        queries.add(parser.parse(l));
      } catch (Exception e) {
        queries.add(parser.parse(QueryParser.escape(l)));
      }
    }
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (DirectoryReader reader = DirectoryReader.open(FSDirectory.open(Paths.get(args[0])))) {
      IndexSearcher one = new IndexSearcher(reader);
      IndexSearcher two = new IndexSearcher(reader, pool);
      System.out.printf(Locale.ROOT, "index_docs=%d segments=%d slices_on_two_threads=%d%n",
          reader.numDocs(), reader.leaves().size(), two.getSlices().length);
      String[] names = {"top10 (the peer: counts stop at 1,000)", "exact total, 1 thread", "exact total, 2 threads"};
      Mode[] modes = {
        q -> one.search(q, 10),
        q -> {
          TopScoreDocCollector c = TopScoreDocCollector.create(10, Integer.MAX_VALUE);
          one.search(q, c);
          return c.topDocs();
        },
        q -> two.search(q, TopScoreDocCollector.createSharedManager(10, null, Integer.MAX_VALUE)),
      };
      // The JIT compiles while the first passes run: two untimed passes of every mode first.
      for (int w = 0; w < 2; w++) for (Mode mode : modes) for (Query q : queries) mode.run(q);
      for (int m = 0; m < modes.length; m++) {
        long[] ns = new long[queries.size() * passes];
        long[] perQuery = new long[queries.size()];
        int k = 0;
        for (int p = 0; p < passes; p++) {
          for (int i = 0; i < queries.size(); i++) {
            long t = System.nanoTime();
            modes[m].run(queries.get(i));
            long d = System.nanoTime() - t;
            ns[k++] = d;
            perQuery[i] = Math.max(perQuery[i], d);
          }
        }
        long[] sorted = ns.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "mode=\"%s\" n=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.2f%n", names[m], ns.length,
            rank(sorted, 0.50) / 1e6, rank(sorted, 0.99) / 1e6, sorted[sorted.length - 1] / 1e6);
        if (m == 1) {
          Integer[] order = new Integer[queries.size()];
          for (int i = 0; i < order.length; i++) order[i] = i;
          Arrays.sort(order, (a, b) -> Long.compare(perQuery[b], perQuery[a]));
          for (int i = 0; i < Math.min(8, order.length); i++) {
            TopDocs td = modes[m].run(queries.get(order[i]));
            System.out.printf(Locale.ROOT, "  slow ms=%.1f total=%d q=%s%n", perQuery[order[i]] / 1e6,
                td.totalHits.value, lines.get(order[i]));
          }
        }
      }
    } finally {
      pool.shutdown();
    }
  }

  static long rank(long[] sorted, double p) {
    int i = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }
}
