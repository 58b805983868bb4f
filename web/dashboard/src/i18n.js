// Every string the supervisor reads, in one place (zh-CN).
export const T = {
  title: '供电所催费看板',
  login: '登录',
  logout: '退出',
  username: '用户名',
  password: '密码',
  loginFailed: '用户名或密码错误',
  loginThrottled: '登录失败次数过多，请稍后再试',
  loading: '加载中…',
  layers: '图层',
  legend: '图例',
  layerTerritories: '片区',
  layerVillages: '村庄',
  layerAccounts: '欠费户',
  layerRoutes: '今日路线',
  layerPositions: '收费员位置',
  arrears: '欠费金额（元）',
  noArrears: '无欠费',
  card: '户卡片',
  close: '关闭',
  accountNumber: '户号',
  address: '地址',
  village: '村',
  phone: '电话',
  amountDue: '应收金额',
  principal: '本金',
  lateFee: '违约金',
  credit: '预存',
  stage: '催收阶段',
  bills: '欠费账单',
  period: '电费月份',
  dueDate: '到期日',
  daysOverdue: '逾期天数',
  total: '合计',
  lastVisits: '最近走访',
  noVisits: '暂无走访记录',
  responsible: '责任收费员',
  nobody: '未指派',
  locationQuality: '位置可信度',
  fixes: '定位次数',
  nearestFix: '最近定位距离',
  metres: '米',
  yuan: '元',
  today: '今日',
  planReview: '计划审核',
  territoryEdit: '片区编辑',
  error: '出错了',
  station: '供电所',
};

export const OUTCOME = {
  paid: '已缴清',
  partial: '部分缴费',
  promise: '承诺缴费',
  nobody_home: '无人在家',
  refused: '拒缴',
  moved: '已搬迁',
  wrong_location: '位置有误',
};

export const LOCATION = {
  confirmed: '已现场确认',
  fix_far: '现场定位偏离',
  reported_wrong: '报告位置有误',
  unconfirmed: '未经现场确认',
};

export const STAGE = {
  none: '未逾期',
  reminder: '短信提醒',
  visit: '上门催收',
  repeated_visit: '再次上门',
  supervisor_visit: '所长上门',
  formal_notice: '书面催缴通知',
};

export function yuan(amount) {
  // Amounts travel as strings ("1234.50"); shown as they are, with the currency sign.
  return `¥${amount}`;
}
