// Taking money at the door: cash or QR, the amount checked against what is owed
// (more than due asks first), then the receipt on screen.

import {state, stopView} from '../state.js';
import {T} from '../strings.js';
import {h, localTime, money} from '../ui.js';
import {findStop} from './card.js';

const AMOUNT = /^(?!0+(\.0{1,2})?$)\d{1,8}(\.\d{1,2})?$/;

export function payScreen(app, accountId) {
  const stop = findStop(accountId);
  const view = stopView(stop);
  const amount = h('input', {id: 'amount', type: 'text', inputmode: 'decimal', value: view.due});
  const error = h('p', {class: 'error', id: 'pay-error', hidden: true});
  let method = 'cash';
  const methods = h('div', {class: 'choices two'},
    ['cash', 'qr'].map((m) => h('button', {
      class: m === method ? 'big selected' : 'big', dataset: {method: m},
      onclick: (ev) => {
        method = m;
        for (const b of methods.children) b.classList.toggle('selected', b === ev.currentTarget);
      },
    }, T[m])),
  );
  const submit = () => {
    const value = amount.value.trim();
    if (!AMOUNT.test(value)) {
      error.textContent = T.amountBad;
      error.hidden = false;
      return;
    }
    const text = money(value);
    if (Number(text) > Number(view.due) && !window.confirm(T.overpayConfirm(text, view.due))) return;
    confirmButton.disabled = true; // a double tap must not take the money twice
    app.pay(stop, text, method, view.due).finally(() => (confirmButton.disabled = false));
  };
  const confirmButton = h('button', {class: 'big primary', id: 'pay-confirm', onclick: submit}, T.confirm);
  return [
    h('a', {class: 'back', href: `#/stop/${accountId}`}, `‹ ${T.back}`),
    h('h1', {}, `${T.collect} · ${stop.account.name}`),
    h('p', {class: 'owed'}, `${T.due} ¥${view.due}`),
    methods,
    h('label', {class: 'field'}, T.amount, amount),
    error,
    confirmButton,
  ];
}

function receiptText(r) {
  return [
    `${T.receipt} ${r.no}`,
    `${T.customer}：${r.name}（${r.number}）`,
    `${T.amount}：${r.amount}（${T[r.method]}）`,
    `${T.collectedAt}：${localTime(r.at)}`,
    `${T.collector}：${r.collector}`,
  ].join('\n');
}

export function receiptScreen(app, paymentId) {
  const item = state.outbox.find((i) => i.id === paymentId);
  if (!item) return [h('a', {class: 'button', href: '#/'}, T.back)];
  const r = item.receipt;
  const text = receiptText(r);
  const share = () => {
    if (navigator.share) navigator.share({title: T.receipt, text}).catch(() => {});
    else location.href = `sms:?body=${encodeURIComponent(text)}`;
  };
  return [
    h('section', {class: 'receipt', id: 'receipt'},
      h('h1', {}, T.receipt),
      h('p', {class: 'receipt-no', id: 'receipt-no'}, r.no),
      h('dl', {},
        h('dt', {}, T.customer), h('dd', {}, `${r.name}（${r.number}）`),
        h('dt', {}, T.amount), h('dd', {class: 'amount'}, `¥${r.amount}`),
        h('dt', {}, T.collectedAt), h('dd', {}, localTime(r.at)),
        h('dt', {}, T.collector), h('dd', {}, r.collector)),
      h('p', {class: 'state'}, item.state === 'waiting' ? T.recorded : T.states[item.state]),
    ),
    h('div', {class: 'choices two'},
      h('button', {class: 'big', onclick: share}, T.share),
      h('a', {class: 'button big', href: `sms:?body=${encodeURIComponent(text)}`}, T.shareSms)),
    h('a', {class: 'button big primary', href: '#/', id: 'receipt-done'}, T.done),
  ];
}
