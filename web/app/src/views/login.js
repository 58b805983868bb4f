// Logging in (needs the network once; the refresh cookie then keeps the session).

import {T} from '../strings.js';
import {h} from '../ui.js';

export function loginScreen(app, message) {
  const user = h('input', {id: 'username', autocomplete: 'username', autocapitalize: 'none'});
  const pass = h('input', {id: 'password', type: 'password', autocomplete: 'current-password'});
  const error = h('p', {class: 'error', id: 'login-error', hidden: !message}, message || '');
  const form = h('form', {class: 'login', onsubmit: (ev) => {
    ev.preventDefault();
    app.login(user.value.trim(), pass.value).catch((err) => {
      error.textContent = err.message;
      error.hidden = false;
    });
  }},
  h('h1', {}, T.appName),
  h('label', {class: 'field'}, T.username, user),
  h('label', {class: 'field'}, T.password, pass),
  error,
  h('button', {class: 'big primary', type: 'submit', id: 'login'}, T.login));
  return [form];
}
