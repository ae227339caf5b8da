// The declaration form on the visitor's phone. Plain ES5 on purpose: old Android browsers and chat
// apps' in-app browsers run it; no framework, no modules, no build. The server checks everything
// again (src/hub/declare/form.ts) and names the field of each problem; this page puts the words there.
(function () {
  
  var F = null; // /api/form
  var form = document.getElementById('form');
  var members = document.getElementById('members');
  var STORE = 'declared';

  function $(id) { return document.getElementById(id); }
  function each(list, fn) { for (var i = 0; i < list.length; i++) fn(list[i], i); }
  function text(el, zh, en) {
    el.innerHTML = '';
    el.appendChild(document.createTextNode(zh));
    if (en) { var s = document.createElement('small'); s.appendChild(document.createTextNode(en)); el.appendChild(document.createElement('br')); el.appendChild(s); }
  }
  function xhr(method, url, body, done) {
    var r = new XMLHttpRequest();
    r.open(method, url, true);
    r.setRequestHeader('Accept', 'application/json');
    if (body) r.setRequestHeader('Content-Type', 'application/json');
    r.timeout = 20000;
    r.onreadystatechange = function () {
      if (r.readyState !== 4) return;
      var json = null;
      try { json = JSON.parse(r.responseText); } catch (e) { json = null; }
      done(r.status, json);
    };
    r.send(body ? JSON.stringify(body) : null);
  }
  function kind() {
    var k = 'visit';
    each(form.querySelectorAll('input[name=kind]'), function (r) { if (r.checked) k = r.value; });
    return k;
  }

  // ---------- reopening from the same phone ----------
  function remembered() {
    try {
      var list = JSON.parse(window.localStorage.getItem(STORE) || '[]');
      var now = Date.now();
      for (var i = 0; i < list.length; i++) if (list[i].expiresAt > now) return list[i];
    } catch (e) { /* private mode: the cookie still works */ }
    return null;
  }
  function remember(id, expiresAt) {
    try {
      var list = JSON.parse(window.localStorage.getItem(STORE) || '[]');
      list.unshift({ id: id, expiresAt: expiresAt });
      window.localStorage.setItem(STORE, JSON.stringify(list.slice(0, 5)));
    } catch (e) { /* ignore */ }
  }
  var last = remembered();
  if (last && !/[?&]new=1/.test(window.location.search)) {
    $('mine-link').href = '/d/' + last.id;
    $('mine').hidden = false;
  }

  // ---------- members ----------
  function addMember() {
    var t = $('member-template');
    var node = document.importNode(t.content, true).querySelector('.member');
    var chips = node.querySelector('.symptoms');
    each(F.symptoms, function (s) {
      var l = document.createElement('label');
      l.className = 'chip';
      var c = document.createElement('input');
      c.type = 'checkbox';
      c.value = s.code;
      l.appendChild(c);
      l.appendChild(document.createTextNode(' ' + s.zh + ' '));
      var small = document.createElement('small');
      small.appendChild(document.createTextNode(s.en));
      l.appendChild(small);
      chips.appendChild(l);
    });
    var none = document.createElement('p');
    none.className = 'sub';
    text(none, '都没有就不选', 'None: leave them all unticked');
    chips.appendChild(none);
    if (F.testMaxAgeDays === null) node.querySelector('.test label span').appendChild(document.createTextNode(' (可选 optional)'));
    if (!F.vaccinationRequired) node.querySelector('.vaccination label span').appendChild(document.createTextNode(' (可选 optional)'));
    node.querySelector('.remove').onclick = function () { members.removeChild(node); renumber(); };
    node.querySelector('input.id').onblur = function () { idHint(this); };
    members.appendChild(node);
    renumber();
  }
  function renumber() {
    var list = members.querySelectorAll('.member');
    each(list, function (m, i) {
      text(m.querySelector('.who'), i === 0 ? '本人' : '家人 ' + i, i === 0 ? 'You' : 'Member ' + (i + 1));
      m.querySelector('.remove').hidden = list.length === 1;
      each(m.querySelectorAll('[data-field]'), function (e) { e.setAttribute('data-for', 'members.' + i + '.' + e.getAttribute('data-field')); });
      each(m.querySelectorAll('input[name]'), function (e) { e.setAttribute('data-name', 'members.' + i + '.' + e.name); });
    });
    $('add-member').hidden = list.length >= 8;
  }

  // The check character of GB 11643 (ISO 7064 MOD 11-2), at once; the server checks region and birth date too.
  function idHint(input) {
    var v = input.value.replace(/\s/g, '').toUpperCase();
    input.value = v;
    var err = form.querySelector('.err[data-for="' + input.getAttribute('data-name') + '"]');
    if (!v) return;
    var w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    if (!/^\d{17}[\dX]$/.test(v)) return text(err, '身份证号应为18位（最后一位可以是X）', 'An ID number has 18 characters (the last may be X)');
    var sum = 0;
    for (var i = 0; i < 17; i++) sum += Number(v.charAt(i)) * w[i];
    if ('10X98765432'.charAt(sum % 11) !== v.charAt(17)) return text(err, '身份证号校验位不对，请核对', 'The ID number\'s check character is wrong: please check it');
    text(err, '', '');
  }

  // ---------- where from, travel, the outcome the gate will give ----------
  function places() {
    var out = [];
    var o = $('origin-pick').value === '*' ? $('origin').value : $('origin-pick').value;
    if (o) out.push(o);
    each($('travel').querySelectorAll('input'), function (c) { if (c.checked) out.push(c.value); });
    each($('travel-other').value.split(/[,，、]/), function (p) { p = p.replace(/^\s+|\s+$/g, ''); if (p) out.push(p); });
    return out;
  }
  function outcome() {
    var risky = [];
    each(places(), function (p) { if (F.riskAreas.indexOf(p) >= 0 && risky.indexOf(p) < 0) risky.push(p); });
    var k = kind();
    var o = risky.length ? (k === 'visit' ? 'refuse' : 'quarantine') : (k === 'visit' && F.escortRequired ? 'escort' : 'ok');
    var el = $('outcome');
    el.className = 'banner ' + (o === 'ok' ? 'ok' : o === 'refuse' ? 'bad' : 'warn');
    el.setAttribute('data-outcome', o);
    var icon = o === 'ok' ? '✔ ' : o === 'refuse' ? '✖ ' : '! ';
    text(el, icon + '到卡口时：' + F.outcomes[o].zh + (risky.length ? '（' + risky.join('、') + '）' : ''), 'At the gate: ' + F.outcomes[o].en);
    $('visit-only').hidden = k !== 'visit';
  }

  // ---------- submit ----------
  function clearErrors() {
    each(form.querySelectorAll('.err'), function (e) { text(e, '', ''); });
    each(form.querySelectorAll('.invalid'), function (e) { e.className = e.className.replace(/\s*invalid/g, ''); });
    $('summary').hidden = true;
  }
  function showErrors(errors) {
    var first = null;
    var general = [];
    each(errors, function (e) {
      var slot = form.querySelector('.err[data-for="' + e.field + '"]');
      if (!slot) { general.push(e); return; }
      var before = slot.innerHTML;
      text(slot, e.zh, e.en);
      if (before) slot.innerHTML = before + '<br>' + slot.innerHTML;
      var input = form.querySelector('[data-name="' + e.field + '"]') || $(e.field === 'origin' ? 'origin-pick' : e.field);
      if (input) input.className += ' invalid';
      if (!first) first = input || slot;
    });
    var s = $('summary');
    var n = errors.length - general.length;
    var zh = [];
    var en = [];
    each(general, function (e) { zh.push(e.zh); en.push(e.en); });
    if (n) { zh.push('有 ' + n + ' 处需要修改，已标红'); en.push(n + (n === 1 ? ' thing' : ' things') + ' to fix, marked in red'); }
    text(s, zh.join('；'), en.join('; '));
    s.hidden = false;
    if (!first) first = s;
    if (first.focus) first.focus();
    if (first.scrollIntoView) first.scrollIntoView();
  }
  form.onsubmit = function (ev) {
    ev.preventDefault();
    clearErrors();
    var body = { kind: kind(), phone: $('phone').value, origin: $('origin-pick').value === '*' ? $('origin').value : $('origin-pick').value, travel: [], consent: $('consent').checked, members: [] };
    var ps = places();
    body.travel = ps.slice(body.origin ? 1 : 0);
    if (body.kind === 'visit') { body.host = $('host').value; body.purpose = $('purpose').value; }
    each(members.querySelectorAll('.member'), function (m) {
      var p = { name: m.querySelector('[name=name]').value, idNumber: m.querySelector('[name=idNumber]').value.replace(/\s/g, '').toUpperCase(), symptoms: [] };
      each(m.querySelectorAll('.symptoms input'), function (c) { if (c.checked) p.symptoms.push(c.value); });
      var t = m.querySelector('[name=testDate]').value;
      var v = m.querySelector('[name=vaccinationDate]').value;
      if (t) p.testDate = t;
      if (v) p.vaccinationDate = v;
      body.members.push(p);
    });
    var button = $('submit');
    button.disabled = true;
    xhr('POST', '/api/declarations', body, function (status, json) {
      button.disabled = false;
      if (status === 201 && json) {
        remember(json.id, json.expiresAt);
        window.location.href = json.url;
      } else if (json && json.errors) showErrors(json.errors);
      else if (json && json.zh) showErrors([{ field: 'form', zh: json.zh, en: json.en }]);
      else showErrors([{ field: 'form', zh: '网络不通，请稍后再提交（已填内容不会丢失）', en: 'No connection: submit again in a moment (nothing you typed is lost)' }]);
    });
  };

  // ---------- start ----------
  xhr('GET', '/api/form', null, function (status, json) {
    if (status !== 200 || !json) {
      text($('load-error'), '页面没有加载完整，请刷新', 'The page did not load fully: reload it');
      $('load-error').hidden = false;
      return;
    }
    F = json;
    text($('site-name'), F.siteName, '');
    text($('consent-zh'), F.consent.zh, '');
    text($('consent-en'), F.consent.en, '');
    var pick = $('origin-pick');
    var opts = [['', '请选择 Choose…']];
    each(F.areas, function (a) { opts.push([a, a + (F.riskAreas.indexOf(a) >= 0 ? '（风险地区 risk area）' : '')]); });
    opts.push(['*', '其他，自己填写 Other: type it']);
    each(opts, function (o) { var e = document.createElement('option'); e.value = o[0]; e.appendChild(document.createTextNode(o[1])); pick.appendChild(e); });
    pick.onchange = function () { $('origin').hidden = pick.value !== '*'; outcome(); };
    each(F.riskAreas, function (a) {
      var l = document.createElement('label');
      l.className = 'chip';
      var c = document.createElement('input');
      c.type = 'checkbox';
      c.value = a;
      c.onchange = outcome;
      l.appendChild(c);
      l.appendChild(document.createTextNode(' ' + a));
      $('travel').appendChild(l);
    });
    if (!F.riskAreas.length) text($('travel'), '目前没有风险地区', 'No risk areas at present');
    $('origin').oninput = outcome;
    $('travel-other').oninput = outcome;
    each(form.querySelectorAll('input[name=kind]'), function (r) { r.onchange = outcome; });
    $('add-member').onclick = addMember;
    addMember();
    outcome();
  });
})();
