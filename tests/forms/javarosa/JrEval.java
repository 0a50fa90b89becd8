import org.javarosa.core.model.condition.EvaluationContext;
import org.javarosa.core.model.instance.FormInstance;
import org.javarosa.core.model.instance.TreeElement;
import org.javarosa.xpath.XPathParseTool;
import org.javarosa.xpath.expr.XPathExpression;
import org.javarosa.xpath.expr.XPathFuncExpr;

/** Evaluate XPath expressions with JavaRosa (no form): one line per expression, "expr\tvalue". */
public class JrEval {
    public static void main(String[] args) {
        FormInstance instance = new FormInstance(new TreeElement("data"));
        for (String expr : args) {
            String shown;
            try {
                XPathExpression parsed = XPathParseTool.parseXPath(expr);
                Object value = parsed.eval(instance, new EvaluationContext(instance));
                shown = (value instanceof Double) ? String.valueOf(value) : XPathFuncExpr.toString(value);
            } catch (Exception e) {
                shown = "ERROR " + e.getClass().getSimpleName() + ": " + e.getMessage();
            }
            System.out.println(expr + "\t" + shown);
        }
    }
}
