package io.sessionmirror.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Serialization diagnostics on a real Tomcat: an attribute that holds something not serializable three
 * levels down is named in the WARN by its path, once however often it is written; {@code report <pid>}
 * shows the web app's live sessions, the sizes of what it stored, its largest attributes and the one left out.
 */
class ReportIT extends FaultTest {

    private static final String PATH = "order.lines[2].supplier -> io.sessionmirror.demo.shop.ClickTracker";

    @Test
    void theWarningNamesThePathOnceAndTheReportShowsTheWebApp() throws Exception {
        Memcached m = node();
        // write=sync: every change is written before its response, so the log and the report are complete
        // when the last response is in
        ServerProcess a = tomcat("A", "nodes=" + m.address() + ",write=sync");
        Browser alice = new Browser();
        Browser bob = new Browser();
        for (int i = 0; i < 3; i++) {
            alice.get(a.url("/shop/cart/add?item=tea" + i + "&format=text"));
            alice.get(a.url("/shop/unserializable?format=text")); // a new order each time: written again
            bob.get(a.url("/shop/unserializable?format=text"));
        }
        bob.get(a.url("/shop/counter?format=text"));
        AgentCli report = AgentCli.run("report", String.valueOf(a.pid()));
        assertEquals(0, report.exit, report.toString());
        // alice's order was left out of 5 writes (3 of its own, 2 of the cart), bob's of 4: said once
        assertTrue(report.out.contains("left out 9 times"), report.toString());
        assertEquals(1, count(a.log(), "is not mirrored"), a.log());
        assertEquals(1, count(a.log(), PATH), a.log());

        String out = report.out;
        assertTrue(out.contains("Tomcat web app '/shop' on host localhost"), report.toString());
        Matcher live = Pattern.compile("live sessions \\(tracked on this server\\): (\\d+)").matcher(out);
        assertTrue(live.find(), report.toString());
        assertTrue(Integer.parseInt(live.group(1)) >= 2, report.toString());
        // every copy of these small sessions is under 1 KB; the histogram has all its ranges
        Matcher small = Pattern.compile("under 1 KB: (\\d+)").matcher(out);
        assertTrue(small.find() && Integer.parseInt(small.group(1)) >= 2, report.toString());
        assertTrue(out.contains("1 MB and more: 0"), report.toString());
        assertTrue(out.contains("largest attributes (by average serialized size):"), report.toString());
        // the reason is the serializer's (FST here), followed by the path
        assertTrue(Pattern.compile("'order' \\(io.sessionmirror.demo.shop.Order\\) left out 9 times: .*ClickTracker.*"
                + Pattern.quote(" (at " + PATH + ")")).matcher(out).find(), report.toString());
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
