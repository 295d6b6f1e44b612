import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import type { AppDeps } from '../../../src/domain/deps.ts'
import { decodeCsvBytes } from '../../../src/domain/imports/decode-text.ts'
import { givenLibrary, staffActor, testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'
import { utf16be, utf16le, windows1252 } from '../../support/encodings.ts'
import { csvFile } from '../../support/files.ts'
import { applyContactsImport, dryRunContacts, previewContactsImport } from '../../support/imports.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

const admin = staffActor('admin', 'slack:UADMIN')
const header = 'username,role,address,addressee\n'
const utf8 = (text: string) => new TextEncoder().encode(text)
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

/** Reads a file as an import does, in chunks of `chunkBytes`: its text, and what the import records. */
async function decodeFile(bytes: Uint8Array, chunkBytes?: number) {
  const decoded = decodeCsvBytes(csvFile(bytes, { chunkBytes }).bytes)
  let text = ''
  for await (const piece of decoded.text) text += piece
  return { text, ...decoded.result() }
}

/** The addressee a one-row file gives Ana's guardian, once imported. */
async function importedAddressee(deps: AppDeps, bytes: Uint8Array, chunkBytes?: number) {
  const lib = await givenLibrary(deps)
  const ana = await lib.patron({ username: 'ana' })
  const dryRun = await dryRunContacts(deps, { libraryId: lib.id, actor: admin, file: csvFile(bytes, { chunkBytes }) })
  if (!dryRun.ok) return dryRun
  await dryRun.confirm()
  const rows = await deps.db.selectFrom('contacts').where('patron_id', '=', ana.id).select('addressee').execute()
  return rows.map((row) => row.addressee)
}

describe('a UTF-8 file, as "CSV UTF-8" saves it', () => {
  // The first character beyond ASCII decides the encoding: every length of UTF-8 sequence, and
  // the first and last lead byte of each, must keep the file UTF-8.
  test.each([
    ['a non-breaking space (2 bytes, lead C2)', 'Mme\u00a0Silva'],
    ['ë (2 bytes)', 'Zoë'],
    ['the last 2-byte character (lead DF)', 'Ana \u07ff'],
    ['a Devanagari letter (3 bytes, lead E0)', 'अनिता'],
    ['’ (3 bytes)', 'O’Brien'],
    ['€ (3 bytes)', 'Fees €5'],
    ['the ligature ﬃ (3 bytes, lead EF)', 'Griﬃn'],
    ['😀 (4 bytes, lead F0)', 'Ana 😀'],
    ['a character of the last plane (4 bytes, lead F4)', 'Ana \u{10fffd}'],
  ])('whose first accent is %s reads as written, whole or cut between two chunks at any byte', async (_, addressee) => {
    const row = `ana,guardian,a@example.org,${addressee}\n`
    const bytes = utf8(header + row)
    const accent = [...row].findIndex((char) => char.codePointAt(0)! > 0x7f)
    const accentAt = utf8(header + row.slice(0, accent)).length
    const accentBytes = utf8(String.fromCodePoint(row.codePointAt(accent)!)).length
    expect(await decodeFile(bytes)).toMatchObject({ text: header + row, encoding: 'utf-8' })
    for (let cut = 1; cut < accentBytes; cut++) {
      // The first chunk ends `cut` bytes into the accent, the second holds one byte, the third the rest.
      const decoded = decodeCsvBytes(
        (async function* () {
          yield bytes.subarray(0, accentAt + cut)
          yield bytes.subarray(accentAt + cut, accentAt + cut + 1)
          yield bytes.subarray(accentAt + cut + 1)
        })(),
      )
      let text = ''
      for await (const piece of decoded.text) text += piece
      expect([cut, text, decoded.result().encoding]).toEqual([cut, header + row, 'utf-8'])
    }
  })

  test('whose first accent comes chunks after the start keeps it, and its checksum is of every byte', async () => {
    const csv = `${header}ana,guardian,a@example.org,Plain\nana,guardian,b@example.org,Hélène Müller\n`
    const bytes = utf8(csv)
    expect(await decodeFile(bytes, 16)).toEqual({ text: csv, encoding: 'utf-8', checksum: sha256(bytes), bytes: bytes.length })
  })

  test('with a character cut between two chunks after its first accent reads it whole', async () => {
    const csv = `${header}ana,guardian,a@example.org,Zoë\nana,guardian,b@example.org,Hélène 😀 O’Brien\n`
    for (const chunkBytes of [1, 2, 3, 5, 7]) {
      expect(await decodeFile(utf8(csv), chunkBytes)).toMatchObject({ text: csv, encoding: 'utf-8' })
    }
  })

  test('with a byte-order mark keeps its accents, and the mark is not part of the header', async () => {
    const csv = `${header}ana,guardian,a@example.org,Hélène\n`
    const bytes = utf8(`\ufeff${csv}`)
    expect(await decodeFile(bytes)).toEqual({ text: csv, encoding: 'utf-8', checksum: sha256(bytes), bytes: bytes.length })
    expect(await decodeFile(bytes, 2)).toMatchObject({ text: csv, encoding: 'utf-8' })
  })

  test('whose last character is its first accent, with no final newline, keeps it', async () => {
    const csv = `${header}ana,guardian,a@example.org,Zoë`
    expect(await decodeFile(utf8(csv))).toMatchObject({ text: csv, encoding: 'utf-8' })
  })

  test('whose first bytes are nearly a byte-order mark keeps them', async () => {
    // "a¿" is 61 C2 BF: it ends as a UTF-8 byte-order mark (EF BB BF) ends.
    const csv = `a¿,role,address\nana,guardian,a@example.org\n`
    expect(await decodeFile(utf8(csv))).toMatchObject({ text: csv, encoding: 'utf-8' })
  })

  test('that turns to another encoding on a later line is refused, naming that line', async () => {
    const good = `${header}ana,guardian,a@example.org,Zoë\nana,guardian,b@example.org,Plain\n`
    const bytes = new Uint8Array(Buffer.concat([utf8(good), windows1252('ana,guardian,c@example.org,Zoë\n')]))
    // A new chunk starts with line 4, the line in Windows-1252.
    await expect(decodeFile(bytes, utf8(good).length)).rejects.toMatchObject({
      name: 'UnreadableFile',
      line: 4,
      message: 'Line 4 is not valid UTF-8: the file mixes text encodings. Save it from your spreadsheet as "CSV UTF-8" and import it again.',
    })
  })

  // A file under 64 KiB is read in one chunk: the line is found inside it, not at its start.
  test('under 64 KiB that turns to another encoding on line 3 names line 3', async () => {
    const deps = testDeps(handle)
    const bytes = Buffer.concat([utf8(`${header}ana,guardian,a@example.org,Zoë\n`), windows1252('ana,guardian,b@example.org,Zoë\n')])
    const result = await importedAddressee(deps, new Uint8Array(bytes))
    expect(result).toEqual({ ok: false, error: { code: 'unreadable_file', message: expect.stringMatching(/^Line 3 is not valid UTF-8/) } })
  })

  test.each([
    ['é (C3 A9)', 'é'],
    ['€ (E2 82 AC)', '€'],
    ['† (E2 80 A0)', '†'],
    ['😀 (F0 9F 98 80)', '😀'],
  ])('read in chunks that cut %s in two, names the line that goes wrong, not the one cut', async (_, char) => {
    // Zoë first: the first accent decides the encoding, and is never left to the decoder to carry.
    const line2 = utf8(`ana,guardian,a@example.org,Zoë ${'x'.repeat(60)}${char}`)
    const charAt = utf8(header).length + line2.length - utf8(char).length
    const rest = utf8('\nben,guardian,b@example.org,Plain\n')
    const later = Buffer.concat([utf8(header), line2, rest, windows1252('cal,guardian,c@example.org,Zoë Smith\n')])
    // A stray continuation byte right after the character that was cut: line 2 itself is the bad one.
    const stray = Buffer.concat([utf8(header), line2, Uint8Array.of(0x80), rest])
    for (let cut = 1; cut < utf8(char).length; cut++) {
      await expect(decodeFile(new Uint8Array(later), charAt + cut), `cut after byte ${cut}`).rejects.toMatchObject({ line: 4 })
      await expect(decodeFile(new Uint8Array(stray), charAt + cut), `stray, cut after byte ${cut}`).rejects.toMatchObject({ line: 2 })
    }
    // And chunks of one byte.
    await expect(decodeFile(new Uint8Array(later), 1)).rejects.toMatchObject({ line: 4 })
  })

  test('cut off inside its last character is refused as cut short, naming the line', async () => {
    const bytes = utf8(`${header}ana,guardian,a@example.org,Zoë\nana,guardian,b@example.org,Zo`)
    await expect(decodeFile(new Uint8Array([...bytes, 0xc3]))).rejects.toMatchObject({
      line: 3,
      message: 'The file ends in the middle of a character on line 3: it was cut short. Export it again and import the whole file.',
    })
  })

  test('that is empty has no text, and the checksum of no bytes', async () => {
    expect(await decodeFile(new Uint8Array())).toEqual({ text: '', encoding: 'utf-8', checksum: sha256(new Uint8Array()), bytes: 0 })
  })
})

describe('a Windows-1252 file, as older Windows Excel saves it', () => {
  // Bytes 80-9F are letters and signs in Windows-1252, and cannot start a UTF-8 character.
  test.each([
    ['’ (92)', 'O’Brien'],
    ['€ (80)', 'Fees €5'],
    ['À (C0)', 'Àlvaro'],
    ['é (E9)', 'Hélène'],
  ])('whose first special byte is %s reads as written, in one chunk or many', async (_, addressee) => {
    const csv = `${header}ana,guardian,a@example.org,${addressee}\nana,guardian,b@example.org,Müller\n`
    for (const chunkBytes of [undefined, 1, 3, 40]) {
      expect(await decodeFile(windows1252(csv), chunkBytes)).toMatchObject({ text: csv, encoding: 'windows-1252' })
    }
  })

  test.each(['Zoë', 'O’', '€'])('that ends on its first accent, with no final newline, keeps it (%s)', async (ending) => {
    const csv = `${header}ana,guardian,a@example.org,${ending}`
    const bytes = windows1252(csv)
    expect(await decodeFile(bytes)).toEqual({ text: csv, encoding: 'windows-1252', checksum: sha256(bytes), bytes: bytes.length })
    expect(await decodeFile(bytes, 5)).toMatchObject({ text: csv, encoding: 'windows-1252' })
  })

  // A byte-order mark is EF BB BF (UTF-8), FF FE or FE FF (UTF-16): a file that only begins with
  // some of those bytes is text like any other.
  test.each(['ÿa', 'aþ', 'þa', 'aÿ', 'a»¿', 'ïa¿', 'ï»a'])('whose first bytes are nearly a byte-order mark keeps them (%s)', async (start) => {
    const csv = `${start},role,address\nana,guardian,a@example.org\n`
    expect(await decodeFile(windows1252(csv))).toMatchObject({ text: csv, encoding: 'windows-1252' })
  })

  test('is imported with its accents, as the librarian typed them', async () => {
    const deps = testDeps(handle)
    expect(await importedAddressee(deps, windows1252(`${header}ana,guardian,a@example.org,Mme O’Brien-Müller €\n`), 7)).toEqual(['Mme O’Brien-Müller €'])
  })
})

describe('a UTF-16 file, as Excel saves "Unicode text"', () => {
  const csv = `${header}ana,guardian,a@example.org,Hélène O’Brien 😀\n`

  test('little-endian, with its byte-order mark, reads as written in one chunk or many', async () => {
    const bytes = utf16le(csv)
    expect(await decodeFile(bytes)).toEqual({ text: csv, encoding: 'utf-16le', checksum: sha256(bytes), bytes: bytes.length })
    expect(await decodeFile(bytes, 3)).toMatchObject({ text: csv, encoding: 'utf-16le' })
  })

  test('big-endian, with its byte-order mark, reads as written in one chunk or many', async () => {
    const bytes = utf16be(csv)
    expect(await decodeFile(bytes)).toEqual({ text: csv, encoding: 'utf-16be', checksum: sha256(bytes), bytes: bytes.length })
    expect(await decodeFile(bytes, 3)).toMatchObject({ text: csv, encoding: 'utf-16be' })
  })

  test('is imported with its accents, either way round', async () => {
    const deps = testDeps(handle)
    const row = `${header}ana,guardian,a@example.org,Hélène O’Brien\n`
    expect(await importedAddressee(deps, utf16le(row))).toEqual(['Hélène O’Brien'])
    expect(await importedAddressee(deps, utf16be(row), 5)).toEqual(['Hélène O’Brien'])
  })

  test('with half a character (a lone surrogate) is refused, saying after which line', async () => {
    const good = utf16le(`${header}ana,guardian,a@example.org,Plain\n`)
    // 😀 is D83D DE00; its first half alone, then a letter.
    const bad = new Uint8Array(Buffer.from('ben,guardian,b@example.org,\ud83dx\n', 'utf16le'))
    await expect(decodeFile(new Uint8Array(Buffer.concat([good, bad])), good.length)).rejects.toMatchObject({
      line: 3,
      message:
        'The file is not valid UTF-16LE after line 3: a character in it is cut in two. Save it from your spreadsheet as "CSV UTF-8" and import it again.',
    })
  })

  test('cut off in the middle of a character is refused as cut short', async () => {
    const bytes = utf16le(csv)
    await expect(decodeFile(bytes.subarray(0, bytes.length - 1))).rejects.toThrow(/cut short/)
  })
})

describe('what the import records and says of the file', () => {
  test('the audit log records the sha256 of the whole file, however it arrived in chunks', async () => {
    const deps = testDeps(handle)
    const lib = await givenLibrary(deps)
    await lib.patron({ username: 'ana' })
    const bytes = utf8(`${header}ana,guardian,a@example.org,Zoë\nana,guardian,b@example.org,O’Brien\n`)
    const preview = await previewContactsImport(deps, {
      libraryId: lib.id,
      mode: 'add',
      levels: [],
      keepCustom: false,
      actor: admin,
      file: csvFile(bytes, { chunkBytes: 7 }),
    })
    expect(preview).toMatchObject({ ok: true, value: { checksum: sha256(bytes) } })
    await applyContactsImport(deps, { libraryId: lib.id, batchId: preview.ok ? preview.value.batchId : 0, actor: admin })
    const [entry] = await lib.auditActions()
    expect(entry).toMatchObject({ action: 'contacts.imported', details: { checksum: sha256(bytes) } })
  })

  test('an empty file is refused as empty', async () => {
    const deps = testDeps(handle)
    expect(await importedAddressee(deps, new Uint8Array())).toEqual({
      ok: false,
      error: { code: 'unreadable_file', message: 'The file is empty: it has no header row.' },
    })
  })

  test('a file that turns to another encoding part-way changes nothing, and says what to do', async () => {
    const deps = testDeps(handle)
    const good = `${header}ana,guardian,a@example.org,Zoë\n`
    const bytes = new Uint8Array(Buffer.concat([utf8(good), windows1252('ana,guardian,b@example.org,Zoë\n')]))
    expect(await importedAddressee(deps, bytes, utf8(good).length)).toEqual({
      ok: false,
      error: {
        code: 'unreadable_file',
        message: expect.stringContaining('Line 3 is not valid UTF-8: the file mixes text encodings. Save it from your spreadsheet as "CSV UTF-8"'),
      },
    })
  })
})
