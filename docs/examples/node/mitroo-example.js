// Calling the Mitroo Politon provider from Node with the soap package (npm install, and Debian's xmlsec1).
//
//   MITROO_URL=http://127.0.0.1:8000 MITROO_CERT=provider-cert.pem node mitroo-example.js
//
// One call per service as the demo users of scripts/serve, then an errorRecord and a fault. Every
// answer's signature is checked (xmlsec1 against the pinned certificate, and the Body that is read
// is the one that was signed) before it is used. Prints one line per call; exits 1 on a failure.
// tests/docs/test_examples.py runs it against the provider.
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const soap = require('soap');
const { DOMParser } = require('@xmldom/xmldom');

const SOAP_ENV = 'http://schemas.xmlsoap.org/soap/envelope/';
const WSU = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';
const DS = 'http://www.w3.org/2000/09/xmldsig#';

const setting = (name, fallback) => process.env[name] || fallback;
const baseUrl = setting('MITROO_URL', 'http://127.0.0.1:8000').replace(/\/+$/, '');
const certificate = setting('MITROO_CERT', 'provider-cert.pem'); // from GET /certificates, checked out of band
const aade = [setting('MITROO_USERNAME', 'demo-aade-eispraxis'), setting('MITROO_PASSWORD', 'demo-aade-pass-2026')];
const clerk = [setting('MITROO_CLERK_USERNAME', 'demo-dimos-athinaion'),
  setting('MITROO_CLERK_PASSWORD', 'demo-athens-pass-2026')];
const auditor = [setting('MITROO_AUDITOR_USERNAME', 'demo-auditor'),
  setting('MITROO_AUDITOR_PASSWORD', 'demo-auditor-pass-2026')];

// A client for one service that sends the UsernameToken (PasswordText) in every request.
async function client(service, [username, password]) {
  const created = await soap.createClientAsync(`${baseUrl}/ws/${service}?wsdl`);
  created.setSecurity(new soap.WSSecurity(username, password, {
    passwordType: 'PasswordText', hasTimeStamp: false, hasNonce: false, hasTokenCreated: false,
  }));
  return created;
}

// The six mandatory auditRecord fields: a new id and the current time (with its zone) on every call.
function auditRecord(protocol) {
  return {
    auditTransactionId: crypto.randomUUID(),
    auditTransactionDate: new Date().toISOString(),
    auditUnit: 'Δ/νση Ελέγχου',
    auditProtocol: protocol,
    auditUserId: 'user17',
    auditUserIp: '10.1.2.3',
  };
}

const list = (nodes) => Array.from({ length: nodes.length }, (_, index) => nodes.item(index));

// Check the answer's signature before reading it: xmlsec1 verifies the cryptography against the
// pinned certificate; then exactly one Body, its wsu:Id among the signed references, no wsu:Id
// twice, and a Timestamp that has not expired. Returns the callSequenceId.
function verifiedCallSequenceId(answer) {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mitroo-')), 'answer.xml');
  fs.writeFileSync(file, answer);
  try {
    execFileSync('xmlsec1', ['--verify', '--pubkey-cert-pem', certificate,
      '--id-attr:Id', `${SOAP_ENV}:Body`, '--id-attr:Id', `${WSU}:Timestamp`, file], { stdio: 'pipe' });
  } catch (error) {
    throw new Error(`signature not valid: ${String(error.stderr).trim()}`);
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true });
  }
  const document = new DOMParser().parseFromString(answer, 'text/xml');
  const bodies = document.getElementsByTagNameNS(SOAP_ENV, 'Body');
  const ids = list(document.getElementsByTagName('*'))
    .map((element) => element.getAttributeNS(WSU, 'Id')).filter((id) => id);
  const signed = list(document.getElementsByTagNameNS(DS, 'Reference'))
    .filter((reference) => reference.parentNode.localName === 'SignedInfo')
    .map((reference) => reference.getAttribute('URI').replace(/^#/, ''));
  if (bodies.length !== 1 || !signed.includes(bodies[0].getAttributeNS(WSU, 'Id'))
      || new Set(ids).size !== ids.length) {
    throw new Error('the Body is not the one that was signed');
  }
  const expires = document.getElementsByTagNameNS(WSU, 'Expires')[0];
  if (!expires || new Date(expires.textContent) < new Date()) {
    throw new Error('the answer has expired');
  }
  const sequenceIds = list(document.getElementsByTagName('*')).filter((element) => element.localName === 'callSequenceId');
  return sequenceIds[sequenceIds.length - 1].textContent; // the answer's, after any record's
}

// Call, check the signature, and print one line; a successful answer's OutputRecord is returned.
async function call(service, operation, user, input, record = auditRecord('ΑΠ 1234/2026')) {
  const caller = await client(service, user);
  let result;
  let raw;
  try {
    [result, raw] = await caller[`${operation}Async`]({ auditRecord: record, [`${operation}InputRecord`]: input });
  } catch (error) {
    if (!error.root || !error.root.Envelope.Body.Fault) throw error;
    // A protocol failure: HTTP 500 (or 503), faultcode soap:Client.<code> or soap:Server.<code>,
    // the errorRecord and the callSequenceId in the detail. Signed like every answer.
    const id = verifiedCallSequenceId(error.body);
    const fault = error.root.Envelope.Body.Fault;
    const code = fault.detail && fault.detail.errorRecord ? fault.detail.errorRecord.errorCode : fault.faultcode;
    const text = typeof fault.faultstring === 'object' ? fault.faultstring.$value : fault.faultstring; // xml:lang="el"
    console.log(`${service}.${operation} callSequenceId=${id} signature=verified fault ${fault.faultcode} ${code}: ${text}`);
    return null;
  }
  const id = verifiedCallSequenceId(raw);
  if (result.errorRecord && result.errorRecord.errorCode) {
    // A business outcome (not found, not authorized, ...): HTTP 200 with an errorRecord.
    console.log(`${service}.${operation} callSequenceId=${id} signature=verified errorRecord `
      + `${result.errorRecord.errorCode}: ${result.errorRecord.errorDescr}`);
    return null;
  }
  const output = result[`${operation}OutputRecord`];
  console.log(`${service}.${operation} callSequenceId=${id} signature=verified ok ${summary(operation, output)}`);
  return output;
}

// A repeated element is an array when it occurs more than once, an object when once.
const all = (value) => (value === undefined || value === null ? [] : [].concat(value));

function summary(operation, output) {
  switch (operation) {
    case 'getRegistryOffices':
      return all(output.registryOffice).map((office) => `${office.code} ${office.name}`).join(', ');
    case 'getDeathAct': {
      const deceased = all(output.party).find((party) => party.role === 'deceased');
      return `deceased ${deceased.fullName} (${deceased.fullNameLatin}) on ${output.event.eventDate.toISOString().slice(0, 10)}`; // an xs:date, parsed
    }
    case 'getMaritalStatusCertificate':
      return `certificate ${output.header.certificateNumber}, ${all(output.member).length} members`;
    case 'checkVoterEligibility':
      return `eligible=${output.eligible} category=${output.category.letter}`;
    case 'searchAuditEvents':
      return all(output.auditEvent)
        .map((event) => `${event.service}.${event.operation} by ${event.username}: ${event.outcome}`).join(', ');
    default:
      return '';
  }
}

async function main() {
  const audited = auditRecord('ΑΠ 1234/2026'); // kept: the auditor finds this call by its auditTransactionId
  await call('registryParameters', 'getRegistryOffices', aade, { municipalityCode: '7401' }, audited);
  const reference = { registryOfficeCode: 'L7101', actNumber: 1, volume: 1, year: 2022 };
  await call('civilRegistryActs', 'getDeathAct', aade, { actReference: reference });
  await call('civilStatusCertificates', 'getMaritalStatusCertificate', aade, {
    shareReference: { municipalityCode: '7101', shareNumber: 21 },
    purpose: 'Επίδομα παιδιών έτους 2022',
    asOnDate: '2022-05-19',
  });
  await call('specialElectoralRolls', 'checkVoterEligibility', clerk, {
    applicant: { permitNumber: 'EL00001378', surnamePrefix: 'NA', firstnamePrefix: 'LA', birthYear: 1975 },
    electionCode: 'AUTO-2028',
    applicationDate: '2026-03-02',
  });
  await call('audit', 'searchAuditEvents', auditor, { transactionId: audited.auditTransactionId });

  // An errorRecord: no such act (MP_NOT_FOUND).
  await call('civilRegistryActs', 'getDeathAct', aade, { actReference: { ...reference, actNumber: 99999 } });
  // A fault: a wrong password (MP_AUTHENTICATION_FAILED).
  await call('registryParameters', 'getRegistryOffices', [aade[0], 'not-the-password'], { municipalityCode: '7401' });
}

main().catch((error) => {
  console.error(`error: ${error.message}`);
  process.exit(1);
});
