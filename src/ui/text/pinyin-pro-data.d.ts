// pinyin-pro exports its data files (package.json "./dist/*"); its two-character words come most common first.
declare module 'pinyin-pro/dist/esm/data/dict2.mjs' {
  const DICT2: Record<string, string>;
  export default DICT2;
}
