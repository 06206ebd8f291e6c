// Runs EPUBCheck on several EPUBs in one JVM (JVM start and warm-up cost seconds per book).
// Usage: java -cp epubcheck.jar BatchCheck.java book1.epub report1.json [book2.epub report2.json ...]
public class BatchCheck {
    public static void main(String[] args) throws Exception {
        int worst = 0;
        for (int i = 0; i + 1 < args.length; i += 2) {
            String[] checkArgs = {args[i], "-q", "--json", args[i + 1]};
            int code = new com.adobe.epubcheck.tool.EpubChecker().run(checkArgs);
            worst = Math.max(worst, code);
        }
        System.exit(worst);
    }
}
