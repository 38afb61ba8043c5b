/**
 * The Cajal language for CodeMirror 6: a stream tokenizer whose words and symbols all come from
 * `lexicon.json`, which is generated from `cajal/lexicon.py` (the table the Python tokenizer,
 * Pygments lexer and completer use; `tests/test_labextension.py` checks that the two agree).
 */
import {
  HighlightStyle,
  LanguageSupport,
  StreamLanguage,
  StringStream,
  syntaxHighlighting
} from '@codemirror/language';
import { classHighlighter, tagHighlighter, tags } from '@lezer/highlight';
import lexicon from './lexicon.json';

export const MIME = 'text/x-cajal';

const KEYWORDS = new Set<string>(lexicon.keywords);
const DECLARATIONS = new Set<string>(lexicon.declarations);
const CONSTANTS = new Set<string>(Object.keys(lexicon.constants));
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// Each spelling of each symbol, longest first (so `-o` is read before a stray `-`).
const SYMBOLS: [RegExp, string][] = lexicon.symbols
  .flatMap(s => [s.unicode, s.ascii].map(spelling => ({ spelling, role: s.role })))
  .filter(({ spelling }) => !new RegExp(`^${lexicon.identifier}$`).test(spelling))
  .sort((a, b) => b.spelling.length - a.spelling.length)
  .map(({ spelling, role }) => [new RegExp('^' + escape(spelling), 'u'), roleStyle(role)]);
const TYPE_WORDS = new Set<string>(lexicon.type_names);
const IDENTIFIER = new RegExp('^' + lexicon.identifier);
const NUMERAL = new RegExp('^' + lexicon.numeral);
const BAD_ARROW = new RegExp('^(' + lexicon.bad_arrows.map(escape).join('|') + ')', 'u');
const PUNCTUATION = new RegExp('^[' + escape(lexicon.punctuation) + ']');
const COMMENT = lexicon.comment;
// A typed hole, `?` or `?name`: a term still to write.
const HOLE = new RegExp('^' + escape(lexicon.hole) + '(' + lexicon.identifier + ')?');

function roleStyle(role: string): string {
  return role === 'binder' ? 'keyword' : role === 'arrow' ? 'operator' : 'typeName';
}

interface State {
  /** Declared with `type A` earlier in the cell: highlighted as types. */
  types: Set<string>;
  /** The word before: `def`/`type` make the next name a definition. */
  declaring: string | null;
  /** Paren depth, and the depths at which a `:` started a type. */
  depth: number;
  typeAt: number[];
  /** Where in a directive line we are: after its word (options may follow) or in its term. */
  directive: 'none' | 'options' | 'term';
  /** The first line of a `%%cajal` cell is the magic's own line. */
  atStart: boolean;
  /** A token may start an item here (start of a line, or after `;`). */
  itemStart: boolean;
}

const parser = {
  name: 'cajal',
  startState: (): State => ({
    types: new Set(),
    declaring: null,
    depth: 0,
    typeAt: [],
    directive: 'none',
    atStart: true,
    itemStart: true
  }),
  copyState: (s: State): State => ({ ...s, types: new Set(s.types), typeAt: [...s.typeAt] }),
  token(stream: StringStream, state: State): string | null {
    if (stream.sol()) {
      state.itemStart = stream.indentation() === 0;
      if (state.itemStart) {
        state.directive = 'none';
        state.typeAt = [];
        state.depth = 0;
      }
      if (state.atStart && stream.match(/^%%\S*/)) {
        stream.skipToEnd(); // the magic line (`%%cajal --first-line 3`)
        state.atStart = false;
        return 'meta';
      }
    }
    if (stream.eatSpace()) {
      return null;
    }
    state.atStart = false;
    const itemStart = state.itemStart;
    state.itemStart = false;
    if (itemStart && stream.match(/^:[A-Za-z_]+/)) {
      state.directive = 'options';
      return 'meta';
    }
    if (state.directive === 'options' && stream.match(/^--[A-Za-z][\w-]*/)) {
      return 'attributeName';
    }
    if (state.directive === 'options') {
      state.directive = 'term';
    }
    if (stream.match(COMMENT)) {
      stream.skipToEnd();
      return 'lineComment';
    }
    if (stream.match(BAD_ARROW)) {
      return 'invalid';
    }
    const word = stream.match(IDENTIFIER) as RegExpMatchArray | null;
    if (word) {
      return wordStyle(word[0], state);
    }
    if (stream.match(NUMERAL)) {
      return 'number';
    }
    if (stream.match(HOLE)) {
      return 'variableName.special'; // a hole
    }
    for (const [pattern, style] of SYMBOLS) {
      if (stream.match(pattern)) {
        return style;
      }
    }
    const punct = stream.match(PUNCTUATION) as RegExpMatchArray | null;
    if (punct) {
      punctuation(punct[0], state);
      return 'punctuation';
    }
    stream.next();
    return null;
  },
  languageData: { commentTokens: { line: COMMENT } }
};

function wordStyle(word: string, state: State): string {
  const declaring = state.declaring;
  state.declaring = DECLARATIONS.has(word) ? word : null;
  if (KEYWORDS.has(word)) {
    return 'keyword';
  }
  if (CONSTANTS.has(word)) {
    return 'bool';
  }
  if (TYPE_WORDS.has(word)) {
    return 'typeName';
  }
  if (declaring === 'type') {
    state.types.add(word);
    return 'typeName.definition';
  }
  if (declaring === 'def') {
    return 'variableName.definition';
  }
  if (state.types.has(word) || state.typeAt.length > 0) {
    return 'typeName';
  }
  return 'variableName';
}

/** `:` starts a type (in `λx:τ.` and `(x : τ)` and `def f … : τ =`); `.` `=` or the `)` that
 *  closes its bracket ends it. */
function punctuation(p: string, state: State): void {
  state.declaring = null;
  if (p === ':') {
    state.typeAt.push(state.depth);
  } else if (p === '(') {
    state.depth += 1;
  } else if (p === ')') {
    state.depth = Math.max(0, state.depth - 1);
    state.typeAt = state.typeAt.filter(d => d <= state.depth);
  } else if (p === '.' || p === '=' || p === ';') {
    state.typeAt = state.typeAt.filter(d => d < state.depth);
  }
}

export const cajalLanguage = StreamLanguage.define<State>(parser);

/** Colours for what JupyterLab's theme leaves plain (type names), in the theme's variables. */
const cajalStyle = HighlightStyle.define(
  [{ tag: tags.typeName, color: 'var(--jp-mirror-editor-builtin-color)' }],
  { scope: cajalLanguage }
);

/** Highlighting extras: the theme colour for types, and stable `tok-*` classes on every token
 *  (what tests and user CSS can select). */
export const cajalHighlighting = [
  syntaxHighlighting(cajalStyle),
  syntaxHighlighting(classHighlighter),
  syntaxHighlighting(tagHighlighter([{ tag: tags.attributeName, class: 'tok-attributeName' }]))
];

export function cajal(): LanguageSupport {
  return new LanguageSupport(cajalLanguage, cajalHighlighting);
}
