// @ts-check
// Indents JSON text without parsing it: numbers, escapes and key order stay exactly as the core
// wrote them (JSON.parse then stringify would round big integers and rewrite numbers). Text that
// is not JSON comes back as it is.
export function prettyJson(text, indent = "  ") {
  try {
    JSON.parse(text); // only to know that it is JSON
  } catch {
    return text;
  }
  let out = "";
  let depth = 0;
  let inString = false;
  const newline = () => "\n" + indent.repeat(depth);
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === "\\") out += text[++i] ?? "";
      else if (c === '"') inString = false;
      continue;
    }
    switch (c) {
      case '"':
        inString = true;
        out += c;
        break;
      case "{":
      case "[": {
        const close = c === "{" ? "}" : "]";
        let j = i + 1;
        while (j < text.length && /\s/.test(text[j])) j++;
        if (text[j] === close) {
          out += c + close; // {} and [] stay on one line
          i = j;
        } else {
          depth++;
          out += c + newline();
        }
        break;
      }
      case "}":
      case "]":
        depth = Math.max(0, depth - 1);
        out += newline() + c;
        break;
      case ",":
        out += "," + newline();
        break;
      case ":":
        out += ": ";
        break;
      case " ":
      case "\t":
      case "\n":
      case "\r":
        break;
      default:
        out += c;
    }
  }
  return out;
}
