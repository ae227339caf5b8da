// One catalogue of the errors the kiosk API returns (the fastify lib/errors.js idea): every error
// has a stable code, an HTTP status and words in zh-CN and English for the screen.
export interface KioskErrorBody {
  code: string;
  zh: string;
  en: string;
  /** Extra facts for the page (e.g. seconds until a lockout ends). */
  detail?: Record<string, string | number | boolean>;
}

const CATALOGUE = {
  UNAUTHENTICATED: [401, '请先登录', 'Please sign in first'],
  SESSION_LOCKED: [401, '屏幕已锁定，请重新输入PIN', 'The screen is locked; enter your PIN again'],
  FORBIDDEN: [403, '需要管理员权限', 'This needs an administrator'],
  BAD_PIN: [401, 'PIN错误', 'Wrong PIN'],
  LOCKED_OUT: [429, '错误次数过多，请稍后再试', 'Too many wrong PINs; try again later'],
  RATE_LIMITED: [429, '操作过于频繁，请稍后再试', 'Too many attempts; wait a moment'],
  SETUP_DONE: [409, '管理员已设置，请直接登录', 'The administrator already exists; sign in'],
  SETUP_NEEDED: [409, '请先设置管理员PIN', 'Set the administrator PIN first'],
  VALIDATION: [400, '输入有误', 'Some input is not valid'],
  BAD_PIN_FORMAT: [400, 'PIN须为6到12位数字', 'A PIN is 6 to 12 digits'],
  BAD_ID_NUMBER: [400, '身份证号码无效', 'The ID number is not valid'],
  BAD_TEMPERATURE: [400, '体温须在30到45℃之间', 'The temperature must be between 30 and 45 °C'],
  UNKNOWN_LANE: [404, '没有这个通道', 'No such lane'],
  NOT_FOUND: [404, '找不到记录', 'Not found'],
  ALREADY_SIGNED_OUT: [409, '该访客已销号', 'This visitor has already signed out'],
  OVERRIDE_REASON: [400, '人工放行/拦截必须写明原因', 'An override needs a reason'],
  OPERATOR_EXISTS: [409, '该值班员编号已存在', 'An operator with this id already exists'],
  BAD_REQUEST: [400, '请求无效', 'Bad request'],
  IMPORT_FAILED: [400, '名册导入失败', 'The roster import failed'],
  NO_DEVICES: [404, '没有这个设备', 'No such device'],
  DECLARATION_REFUSED: [422, '申报码无效', 'The declaration code is not valid'],
  DECLARATION_USED: [409, '此人已凭该申报登记过', 'This person was already registered on this declaration'],
  RISK_AREA: [409, '14天内到过中高风险地区，外来人员不得进入', 'Stayed in a risk area within 14 days: a visitor may not enter'],
  VOICE_UNAVAILABLE: [409, '现在不能播放', 'Cannot play now'],
  STORAGE: [503, '账本暂时无法写入，已保留操作，请稍后重试', 'The ledger cannot be written right now; try again shortly'],
  INTERNAL: [500, '系统内部错误，已记录', 'Internal error; it has been logged'],
} as const satisfies Record<string, readonly [number, string, string]>;

export type KioskErrorCode = keyof typeof CATALOGUE;

export class KioskError extends Error {
  readonly status: number;
  readonly body: KioskErrorBody;
  constructor(code: KioskErrorCode, more?: { zh?: string; en?: string; detail?: KioskErrorBody['detail'] }) {
    const [status, zh, en] = CATALOGUE[code];
    const body: KioskErrorBody = { code, zh: more?.zh ? `${zh}：${more.zh}` : zh, en: more?.en ? `${en}: ${more.en}` : en };
    if (more?.detail) body.detail = more.detail;
    super(body.en);
    this.status = status;
    this.body = body;
  }
}

export const fail = (code: KioskErrorCode, more?: ConstructorParameters<typeof KioskError>[1]): never => {
  throw new KioskError(code, more);
};

export function errorCodes(): Array<{ code: string; status: number; zh: string; en: string }> {
  return Object.entries(CATALOGUE).map(([code, [status, zh, en]]) => ({ code, status, zh, en }));
}

/** Runs a ledger write whose thrown Error messages are meant for the user (bad PIN format, bad phone …). */
export function asUserError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof KioskError) throw err;
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('SQLITE')) throw new KioskError('STORAGE');
    throw new KioskError('VALIDATION', { en: (err as Error).message, zh: (err as Error).message });
  }
}
