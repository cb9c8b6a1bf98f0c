"""python-stdnum's verdicts on its own test numbers, for Acquit's checks.

crates/core/tests/stdnum.rs runs this with the venv's Python (`./x setup`
makes it at target/py) and compares Acquit's validators with what it prints.
The numbers are every one that python-stdnum's own tests try: the doctest
files of its sdist (only the sdist ships them; `./x setup` unpacks them under
<venv>/stdnum-tests/<version>/tests) and the doctests in the docstrings of the
installed modules. Which numbers are valid, and their compact form, is asked
of python-stdnum itself here, never taken from the test files' layout or
decided by Acquit.

Each valid number also yields variants, each the number with one change
(a digit or letter replaced, two neighbours swapped, one character dropped;
for IBANs the change comes with recomputed IBAN check digits, so that the
account's structure and national check digits are what is tested), judged by
python-stdnum like the others: a harder test than the few mangled numbers
the files list.

Output, one line per distinct number, tab-separated:

    kind  source  input  verdict  compact

kind is one of vat, iban, bic, siren, siret; source names the file or module
the number came from ("variant: " and the source of the number it varies);
verdict is "valid" or the name of the exception python-stdnum raised
(InvalidChecksum, InvalidFormat, ...); compact is python-stdnum's compact
form of a valid number, else empty. `vat` covers what Acquit's VatNumber
covers: EU numbers as `stdnum.eu.vat` judges them, and UK ones (prefix GB)
as `stdnum.gb.vat`.
"""

import ast
import doctest
import importlib
import os
import re
import sys

try:
    import stdnum
    from stdnum import bic, iban
    from stdnum.eu import vat as eu_vat
    from stdnum.exceptions import ValidationError
    from stdnum.fr import siren, siret
    from stdnum.gb import vat as gb_vat
    from stdnum.util import clean
except ImportError as e:
    sys.exit(f'python-stdnum is not installed in {sys.prefix} ({e}): run ./x setup')

TESTS = os.path.join(sys.prefix, 'stdnum-tests', stdnum.__version__, 'tests')

# Functions whose first argument, in a doctest, is a whole number to check.
TAKES_A_NUMBER = {'validate', 'is_valid', 'compact', 'format', 'to_bic', 'to_ccc',
                  'to_kontonr', 'to_siren', 'convert', 'info'}


def vat_validate(number):
    """What Acquit's VatNumber is measured against: EU VAT numbers (and XI)
    as stdnum.eu.vat, UK numbers (GB) as stdnum.gb.vat."""
    if clean(number, '').upper().strip()[:2] == 'GB':
        return 'GB' + gb_vat.validate(number)
    return eu_vat.validate(number)


VALIDATE = {
    'vat': vat_validate,
    'iban': iban.validate,
    'bic': bic.validate,
    'siren': siren.validate,
    'siret': siret.validate,
}


def numbers_in(text, module_names):
    """Every number a doctest text tries: each line of a multi-line string
    assigned in an example (the first column when a line has several, as in
    `BE 03 7310 1866 4084    KREDBEBB`), and the first argument of calls
    such as `validate('…')` on one of `module_names` (or unqualified)."""
    for example in doctest.DocTestParser().get_examples(text):
        try:
            tree = ast.parse(example.source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) \
                    and isinstance(node.value.value, str) and '\n' in node.value.value:
                for line in node.value.value.splitlines():
                    first = re.split(r'\s{2,}|\t', line.strip())[0]
                    if first:
                        yield first
            elif isinstance(node, ast.Call) and node.args \
                    and isinstance(node.args[0], ast.Constant) \
                    and isinstance(node.args[0].value, str):
                func = node.func
                if isinstance(func, ast.Name):
                    name, owner = func.id, None
                elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                    name, owner = func.attr, func.value.id
                else:
                    continue
                if name in TAKES_A_NUMBER and (owner is None or owner in module_names):
                    yield node.args[0].value


def test_file(module_name):
    """The sdist's doctest file for a module (stdnum.fr.tva: test_fr_tva.doctest)."""
    name = 'test_' + module_name.split('.', 1)[1].replace('.', '_') + '.doctest'
    path = os.path.join(TESTS, name)
    return path if os.path.exists(path) else None


def sources(module_names):
    """(source name, text, local names) of each module's docstring and test file."""
    for module_name in module_names:
        module = importlib.import_module(module_name)
        local = module_name.rsplit('.', 1)[1]
        yield module_name, module.__doc__ or '', {local}
        path = test_file(module_name)
        if path:
            with open(path, encoding='utf-8') as f:
                yield os.path.basename(path), f.read(), {local}


def vat_modules():
    """(VAT prefix, module name) of every state stdnum.eu.vat knows, and GB."""
    for cc in sorted(eu_vat.MEMBER_STATES - {'xi'}):
        prefix = 'EL' if cc == 'gr' else cc.upper()
        yield prefix, eu_vat._get_cc_module(cc).__name__
    yield 'GB', gb_vat.__name__


def with_prefix(number, prefix):
    """A country module's test number as a VAT number: its own country's
    prefix put in front unless it already starts with a known prefix."""
    head = clean(number, '').upper().strip()[:2]
    if head == 'GB' or eu_vat._get_cc_module(head) is not None:
        return number
    return prefix + number


def corpus():
    """(kind, source, input) of every number tried, in a stable order."""
    for source, text, names in sources(['stdnum.eu.vat']):
        for number in numbers_in(text, names):
            yield 'vat', source, number
    for prefix, module_name in vat_modules():
        for source, text, names in sources([module_name]):
            for number in numbers_in(text, names):
                yield 'vat', source, with_prefix(number, prefix)
    iban_modules = ['stdnum.iban'] + [
        'stdnum.%s.iban' % cc for cc in ('be', 'es', 'me', 'no')]
    for source, text, names in sources(iban_modules):
        for number in numbers_in(text, names):
            yield 'iban', source, number
    for kind, module_name in (('bic', 'stdnum.bic'), ('siren', 'stdnum.fr.siren'),
                              ('siret', 'stdnum.fr.siret')):
        for source, text, names in sources([module_name]):
            for number in numbers_in(text, names):
                yield kind, source, number


def changed(text, start):
    """Each variant of `text` with one change at or after index `start`."""
    for i in range(start, len(text)):
        c = text[i]
        if c.isdigit():
            others = [str((int(c) + 1) % 10), 'A']
        else:
            others = [chr((ord(c) - ord('A') + 1) % 26 + ord('A')), '7']
        for other in others:
            yield text[:i] + other + text[i + 1:]
        if i + 1 < len(text) and text[i + 1] != c:
            yield text[:i] + text[i + 1] + c + text[i + 2:]
        yield text[:i] + text[i + 1:]


def variants(kind, compact):
    """Variants of a valid number's compact form: the prefix is kept (VAT
    numbers, IBANs); an IBAN's check digits are recomputed."""
    if kind == 'iban':
        for bban in changed(compact[4:], 0):
            yield iban.calc_check_digits(compact[:2] + '00' + bban).join(
                (compact[:2], bban))
    else:
        yield from changed(compact, 2 if kind == 'vat' else 0)


def judged(rows):
    """(kind, source, input, verdict, compact) of each new (kind, input)."""
    seen = set()
    for kind, source, number in rows:
        if (kind, number) in seen or '\t' in number or '\n' in number:
            continue
        seen.add((kind, number))
        try:
            yield kind, source, number, 'valid', VALIDATE[kind](number)
        except ValidationError as e:
            yield kind, source, number, type(e).__name__, ''


def main():
    if not os.path.isdir(TESTS):
        sys.exit(f'python-stdnum {stdnum.__version__}\'s test files are not in {TESTS}: '
                 'run ./x setup')
    rows = list(judged(corpus()))
    tried = {(kind, number) for kind, _, number, _, _ in rows}
    mutants = [(kind, 'variant: ' + source, variant)
               for kind, source, _, verdict, compact in rows if verdict == 'valid'
               for variant in variants(kind, compact)]
    rows += judged(r for r in mutants if (r[0], r[2]) not in tried)
    for row in rows:
        print('\t'.join(row))


if __name__ == '__main__':
    main()
