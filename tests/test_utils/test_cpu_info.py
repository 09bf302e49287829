"""vlframe.utils.cpu_info: the CPU facts benchmark.py prints."""
from vlframe.utils import cpu_line, describe_cpu

AMD_ZEN5 = """processor\t: 0
vendor_id\t: AuthenticAMD
cpu family\t: 26
model\t\t: 2
model name\t: AMD EPYC
flags\t\t: fpu sse avx512f avx512_bf16 avx512_vnni avx512vl

processor\t: 1
vendor_id\t: AuthenticAMD
cpu family\t: 26
model\t\t: 2
model name\t: AMD EPYC
flags\t\t: fpu sse avx512f avx512_bf16 avx512_vnni avx512vl
"""

INTEL_AMX = """processor\t: 0
cpu family\t: 6
model\t\t: 143
model name\t: Intel(R) Xeon(R) Platinum 8480+
flags\t\t: fpu avx512f avx512_bf16 amx_bf16 amx_tile amx_int8
"""

ARM = """processor\t: 0
BogoMIPS\t: 243.75
Features\t: fp asimd sve bf16 i8mm
CPU implementer\t: 0x41
"""


def test_amd_without_amx(tmp_path):
    path = tmp_path / 'cpuinfo'
    path.write_text(AMD_ZEN5)
    info = describe_cpu(str(path))
    assert (info['model_name'], info['family'], info['model']) == \
        ('AMD EPYC', '26', '2')
    assert info['bf16_flags'] == ['avx512_bf16']
    assert info['cores'] >= 1
    line = cpu_line(info)
    assert line.startswith('cpu: AMD EPYC (family 26, model 2), ')
    assert line.endswith('usable cores; bf16 flags: avx512_bf16')


def test_intel_with_amx(tmp_path):
    path = tmp_path / 'cpuinfo'
    path.write_text(INTEL_AMX)
    info = describe_cpu(str(path))
    assert info['bf16_flags'] == ['avx512_bf16', 'amx_bf16', 'amx_tile']
    assert 'Xeon' in cpu_line(info)


def test_arm_features_line(tmp_path):
    path = tmp_path / 'cpuinfo'
    path.write_text(ARM)
    info = describe_cpu(str(path))
    assert info['bf16_flags'] == ['bf16']
    assert info['family'] is None
    assert '(family' not in cpu_line(info)


def test_no_cpuinfo_still_describes(tmp_path):
    info = describe_cpu(str(tmp_path / 'missing'))
    assert info['bf16_flags'] == [] and info['family'] is None
    assert cpu_line(info).endswith('bf16 flags: none')
