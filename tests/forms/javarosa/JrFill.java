import java.io.FileInputStream;
import java.util.*;
import org.javarosa.core.model.FormDef;
import org.javarosa.core.model.FormIndex;
import org.javarosa.core.model.data.*;
import org.javarosa.core.model.instance.*;
import org.javarosa.core.model.data.helper.*;
import org.javarosa.form.api.*;
import org.javarosa.xform.util.XFormUtils;
import org.javarosa.model.xform.XFormSerializingVisitor;
import org.javarosa.core.model.instance.InstanceInitializationFactory;

/** Fill an XForm as ODK Collect does: args form.xml then ref=value ... (ref as JavaRosa prints it, e.g.
 *  /data/member[1]/mname), or +/data/member to add a repeat instance when asked. Prints the instance XML. */
public class JrFill {
    public static void main(String[] args) throws Exception {
        FormDef fd = XFormUtils.getFormFromInputStream(new FileInputStream(args[0]));
        fd.initialize(true, new InstanceInitializationFactory());
        Map<String, String> answers = new LinkedHashMap<>();
        Map<String, Integer> repeats = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            if (args[i].startsWith("+")) repeats.merge(args[i].substring(1), 1, Integer::sum);
            else { String[] kv = args[i].split("=", 2); answers.put(kv[0], kv[1]); }
        }
        FormEntryModel model = new FormEntryModel(fd);
        FormEntryController fec = new FormEntryController(model);
        int event;
        while ((event = fec.stepToNextEvent()) != FormEntryController.EVENT_END_OF_FORM) {
            FormIndex index = model.getFormIndex();
            String ref = index.getReference().toString(true);
            String generic = index.getReference().genericize().toString(false);
            if (event == FormEntryController.EVENT_PROMPT_NEW_REPEAT) {
                Integer left = repeats.get(generic);
                if (left != null && left > 0) { repeats.put(generic, left - 1); fec.newRepeat(); }
            } else if (event == FormEntryController.EVENT_QUESTION) {
                String value = answers.get(ref);
                System.err.println("Q " + ref);
                if (value != null) {
                    FormEntryPrompt prompt = model.getQuestionPrompt();
                    IAnswerData data = new UncastData(value);
                    int type = prompt.getDataType();
                    IAnswerData typed = AnswerDataFactory.templateByDataType(type).cast((UncastData) data);
                    System.err.println("answer " + ref + " = " + value + " -> " + fec.answerQuestion(typed, true));
                }
            }
        }
        byte[] out = new XFormSerializingVisitor().serializeInstance(fd.getInstance());
        System.out.println(new String(out, "UTF-8"));
    }
}
