import Table from 'cli-table3';

/** No borders: columns separated by two spaces, so that `grep` and `awk` read the rows. */
const NO_BORDERS = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: '  ',
};

/** Columns padded to their widest cell (by cli-table3); numeric columns right-aligned. */
export function renderTable(header: string[], rows: string[][], numeric: boolean[] = []): string {
  const table = new Table({
    head: header,
    chars: NO_BORDERS,
    // no colours: the output goes to logs and pipes as often as to a terminal
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0, compact: true },
    colAligns: header.map((_, i) => (numeric[i] ? 'right' : 'left')),
  });
  table.push(...rows);
  // cli-table3 pads the last column too; trailing blanks would only bother `diff` and regexes
  return table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}
