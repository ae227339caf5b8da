// Every message of the roster import in zh-CN and English: a village clerk reads Chinese first
// (`gate roster import --lang en` prints the English). One catalogue, so the CLI, the kiosk and the
// JSON report say the same words.
import type { Text } from '../gate/model.js';

export const IMPORT_TEXT = {
  missingHousehold: { zh: '每行都要有户号', en: 'Every row needs a household number (户号)' },
  missingName: { zh: '每行都要有姓名', en: 'Every row needs a name (姓名)' },
  excelNumber: { zh: '（Excel 把它变成了数字：请把该列设为“文本”格式后重新输入）', en: ' (Excel turned it into a number: format the column as text and type it again)' },
  badDate: { zh: '不是日期：请写成 年-月-日，如 2026-11-23', en: 'Not a date: write it as YYYY-MM-DD, e.g. 2026-11-23' },
  badYesNo: { zh: '请填“是”或“否”', en: 'Write 是 or 否 (yes or no)' },
  badNumber: { zh: '请填整数人数', en: 'Write a whole number of people' },
  badPhone: { zh: '电话只能含数字（可有空格、横线和开头的 +）', en: 'A phone number holds digits only (spaces, dashes and a leading + allowed)' },
  unusualPhone: {
    zh: '电话号码不像大陆手机（11位，1开头）或带区号的固定电话（如 0571-88886666）：请核对',
    en: 'The phone is neither a mainland mobile (11 digits starting 1[3-9]) nor a landline with its area code (e.g. 0571-88886666): check it',
  },
  badColour: { zh: '请填 绿、黄 或 红', en: 'Write 绿, 黄 or 红 (green, yellow, red)' },
  badQuarantine: { zh: '请填 居家隔离、居家健康监测、日常健康监测、集中隔离 或 无', en: 'Write 居家隔离, 居家健康监测, 日常健康监测, 集中隔离 or 无' },
  quarantineWithoutDate: { zh: '隔离或健康监测的人员须填写截止日期（隔离截止）', en: 'A person in quarantine or health monitoring needs the day it ends (隔离截止)' },
} as const satisfies Record<string, Text>;

export const importText = {
  idNumber: (t: Text, excel: boolean): Text => (excel ? { zh: `${t.zh}${IMPORT_TEXT.excelNumber.zh}`, en: `${t.en}${IMPORT_TEXT.excelNumber.en}` } : t),
  duplicateIdNumber: (row: number): Text => ({ zh: `同一身份证号已在第 ${row} 行`, en: `The same ID number is already on row ${row}` }),
  duplicatePerson: (row: number): Text => ({ zh: `同一人已在第 ${row} 行（同户同名且无法用身份证号区分）`, en: `The same person is already on row ${row} (same household and name, and no ID numbers to tell them apart)` }),
  sameName: (row: number): Text => ({
    zh: `与第 ${row} 行同户同名，但身份证号不同：按两个人导入，请核对`,
    en: `Same household and name as row ${row} but a different ID number: imported as two people; check it`,
  }),
  idOnRoster: (holder: string): Text => ({ zh: `该身份证号已属于花名册上的另一人（${holder}）`, en: `This ID number belongs to another person on the roster (${holder})` }),
  unknownCategory: (u: string): Text => ({ zh: `未知类别“${u}”：请用 docs/roster-import.md 中的名称，用“、”分隔`, en: `Unknown category "${u}"; use the names listed in docs/roster-import.md, separated by 、` }),
  conflictingAddress: (hh: string, address: string): Text => ({ zh: `户 ${hh} 在前面的行里住址是“${address}”`, en: `Household ${hh} has address "${address}" on an earlier row` }),
  unusedColumn: (h: string, nearest: string | undefined): Text => ({
    zh: `列“${h}”未使用${nearest ? `：最接近的已知列名是“${nearest}”` : ''}（列名见 docs/roster-import.md）`,
    en: `Column "${h}" is not used${nearest ? `: the nearest known name is "${nearest}"` : ''} (see docs/roster-import.md for the column names)`,
  }),
  noAddress: (): Text => ({ zh: '没有住址列（门牌号、门牌地址、住址、家庭住址、地址…）：住址将记为户号', en: 'No address column (门牌号, 门牌地址, 住址, 家庭住址, 地址…): the household number stands for the address' }),
  missingColumns: (cols: string, found: string): Text => ({ zh: `标题行缺少列：${cols}；找到的列：${found}`, en: `The header row lacks the column(s) ${cols}; found: ${found}` }),
  empty: (): Text => ({ zh: '文件是空的：第一行必须是列名（户号、姓名、身份证号…）', en: 'The file is empty: the first row must hold the column headers (户号, 姓名, 身份证号 …)' }),
};

/** An import error whose message is in both languages (the zh-CN first, the English after " / "). */
export class ImportError extends Error {
  constructor(readonly text: Text) {
    super(`${text.zh} / ${text.en}`);
  }
}
