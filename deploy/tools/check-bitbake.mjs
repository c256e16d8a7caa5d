// Parses BitBake files (.bb, .bbappend, .bbclass, .conf) with the BitBake tree-sitter grammar that
// the Yocto Project's language server ships, and reports every syntax error as file:line:column.
// Usage: node check-syntax.mjs FILE...   (exit 1 when any file has an error)
import Parser from 'web-tree-sitter';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const grammar = join(dirname(require.resolve('language-server-bitbake/package.json')), 'tree-sitter-bitbake.wasm');

await Parser.init();
const parser = new Parser();
parser.setLanguage(await Parser.Language.load(grammar));

let failed = false;
for (const file of process.argv.slice(2)) {
  const tree = parser.parse(readFileSync(file, 'utf8'));
  const errors = [];
  const visit = (node) => {
    if (node.type === 'ERROR' || node.isMissing) {
      const what = node.isMissing ? `missing ${node.type}` : `unexpected '${node.text.split('\n')[0].slice(0, 40)}'`;
      errors.push(`${file}:${node.startPosition.row + 1}:${node.startPosition.column + 1}: ${what}`);
      return;
    }
    for (const child of node.children) visit(child);
  };
  visit(tree.rootNode);
  if (errors.length > 0) {
    failed = true;
    for (const e of errors) console.error(e);
  } else {
    console.log(`${file}: ok`);
  }
}
process.exit(failed ? 1 : 0);
