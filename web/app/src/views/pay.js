// Taking money at the door: cash or QR, the amount checked against what is owed
// (more than due asks first), then the receipt on screen.

import {state, stopView} from '../state.js';
import {T} from '../strings.js';
import {shareReceiptImage} from '../receipt_image.js';
import {h, localTime, money, toast} from '../ui.js';
import {findStop} from './card.js';

const AMOUNT = /^(?!0+(\.0{1,2})?$)\d{1,8}(\.\d{1,2})?$/;
// The channel's transaction number as the payer's app shows it (letters, digits, dashes).
const TXN = /^[0-9A-Za-z_-]{6,64}$/;

export function payScreen(app, accountId) {
  const stop = findStop(accountId);
  const view = stopView(stop);
  const amount = h('input', {id: 'amount', type: 'text', inputmode: 'decimal', value: view.due});
  const error = h('p', {class: 'error', id: 'pay-error', hidden: true});
  let method = 'cash';
  // A QR payment names the channel's transaction (the payer's app shows it): the server
  // holds it as pending until the channel's notice matches it (待核对).
  let qrChannel = 'wechat';
  const txn = h('input', {id: 'qr-txn', type: 'text', inputmode: 'numeric', maxlength: 64,
    autocomplete: 'off'});
  const channels = h('div', {class: 'choices three'},
    ['wechat', 'alipay', 'bank'].map((c) => h('button', {
      class: c === qrChannel ? 'selected' : '', dataset: {channel: c},
      onclick: (ev) => {
        qrChannel = c;
        for (const b of channels.children) b.classList.toggle('selected', b === ev.currentTarget);
      },
    }, T.qrChannels[c])),
  );
  const qrFields = h('section', {class: 'qr', id: 'qr-fields', hidden: true},
    h('p', {class: 'hint'}, T.qrHint), channels, h('label', {class: 'field'}, T.qrTxn, txn));
  const methods = h('div', {class: 'choices two'},
    ['cash', 'qr'].map((m) => h('button', {
      class: m === method ? 'big selected' : 'big', dataset: {method: m},
      onclick: (ev) => {
        method = m;
        for (const b of methods.children) b.classList.toggle('selected', b === ev.currentTarget);
        qrFields.hidden = m !== 'qr';
      },
    }, T[m])),
  );
  const fail = (text) => {
    error.textContent = text;
    error.hidden = false;
  };
  const submit = () => {
    const value = amount.value.trim();
    if (!AMOUNT.test(value)) return fail(T.amountBad);
    const ref = method === 'qr' ? {channel: qrChannel, txn_id: txn.value.trim()} : null;
    if (ref && !TXN.test(ref.txn_id)) return fail(T.qrTxnBad);
    const text = money(value);
    if (Number(text) > Number(view.due) && !window.confirm(T.overpayConfirm(text, view.due))) return;
    confirmButton.disabled = true; // a double tap must not take the money twice
    app.pay(stop, text, method, view.due, ref).finally(() => (confirmButton.disabled = false));
  };
  const confirmButton = h('button', {class: 'big primary', id: 'pay-confirm', onclick: submit}, T.confirm);
  return [
    h('a', {class: 'back', href: `#/stop/${accountId}`}, `‹ ${T.back}`),
    h('h1', {}, `${T.collect} · ${stop.account.name}`),
    h('p', {class: 'owed'}, `${T.due} ¥${view.due}`),
    methods,
    qrFields,
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
    ...(r.qr ? [`${T.qrTxn}：${T.qrChannels[r.qr.channel]} ${r.qr.txn_id}`] : []),
  ].join('\n');
}

/** What became of the payment, in words (waiting, sent, 待核对, refused...). */
export function receiptState(item) {
  return item.state === 'waiting' ? T.recorded : T.states[item.state];
}

export function receiptScreen(app, paymentId) {
  const item = state.outbox.find((i) => i.id === paymentId);
  if (!item) return [h('a', {class: 'button', href: '#/'}, T.back)];
  const r = item.receipt;
  const text = receiptText(r);
  const shareText = () => {
    if (navigator.share) navigator.share({title: T.receipt, text}).catch(() => {});
    else location.href = `sms:?body=${encodeURIComponent(text)}`;
  };
  const shareImage = (ev) => {
    const button = ev.currentTarget;
    button.disabled = true;
    shareReceiptImage(r, receiptState(item))
      .catch(() => toast(T.shareFailed))
      .finally(() => (button.disabled = false));
  };
  return [
    h('section', {class: 'receipt', id: 'receipt'},
      h('h1', {}, T.receipt),
      h('p', {class: 'receipt-no', id: 'receipt-no'}, r.no),
      h('dl', {},
        h('dt', {}, T.customer), h('dd', {}, `${r.name}（${r.number}）`),
        h('dt', {}, T.amount), h('dd', {class: 'amount'}, `¥${r.amount}`),
        h('dt', {}, T.collectedAt), h('dd', {}, localTime(r.at)),
        h('dt', {}, T.collector), h('dd', {}, r.collector),
        r.qr ? [h('dt', {}, T.qrTxn), h('dd', {}, `${T.qrChannels[r.qr.channel]} ${r.qr.txn_id}`)] : null),
      h('p', {class: 'state', id: 'receipt-state'}, receiptState(item)),
    ),
    h('div', {class: 'choices three'},
      h('button', {class: 'big', id: 'share-image', onclick: shareImage}, T.shareImage),
      h('button', {class: 'big', id: 'share-text', onclick: shareText}, T.share),
      h('a', {class: 'button big', href: `sms:?body=${encodeURIComponent(text)}`}, T.shareSms)),
    h('a', {class: 'button big primary', href: '#/', id: 'receipt-done'}, T.done),
  ];
}
