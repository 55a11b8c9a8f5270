"""The official Peppol BIS Billing 3.0 rules, run offline (SaxonC-HE + SchXslt).

`einvoice/` holds the CEN EN 16931 UBL rules (validation artefacts 1.3.14.1) and OpenPEPPOL's
BIS Billing 3.0 rules (2025 Q2 release), copied unchanged from the shared reference material,
with the SchXslt transpiler (MIT). Each schematron file is compiled to XSLT once per machine
(cached under the temp dir by content hash) and once per session into an executable.
"""

import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

HERE = Path(__file__).resolve().parent / "einvoice"
RULE_FILES = [HERE / "peppol-bis-3" / "CEN-EN16931-UBL.sch", HERE / "peppol-bis-3" / "PEPPOL-EN16931-UBL.sch"]
SVRL = {"svrl": "http://purl.oclc.org/dsdl/svrl"}


@dataclass(frozen=True)
class FailedRule:
    rule: str
    flag: str
    text: str

    def __str__(self):
        return f"{self.flag} {self.rule}: {self.text[:300]}"


class RuleSet:
    def __init__(self):
        from saxonche import PySaxonProcessor

        self.processor = PySaxonProcessor(license=False)
        xslt = self.processor.new_xslt30_processor()
        self.executables = [
            xslt.compile_stylesheet(stylesheet_file=str(self._compiled(xslt, sch))) for sch in RULE_FILES
        ]

    @staticmethod
    def _compiled(xslt, sch: Path) -> Path:
        digest = hashlib.sha256(sch.read_bytes()).hexdigest()[:16]
        target = Path(tempfile.gettempdir()) / "einvoice-rules" / f"{sch.stem}-{digest}.xsl"
        if not target.exists():
            target.parent.mkdir(exist_ok=True)
            partial = target.with_suffix(".part")
            xslt.transform_to_file(
                source_file=str(sch),
                stylesheet_file=str(HERE / "schxslt" / "pipeline-for-svrl.xsl"),
                output_file=str(partial),
            )
            partial.replace(target)
        return target

    def failed(self, xml: bytes) -> list[FailedRule]:
        """Every failed assertion (fatal and warning) of both rule sets."""
        document = self.processor.parse_xml(xml_text=xml.decode("utf-8"))
        failures = []
        for executable in self.executables:
            report = executable.transform_to_string(xdm_node=document)
            for node in etree.fromstring(report.encode()).xpath("//svrl:failed-assert", namespaces=SVRL):
                text = " ".join(node.xpath("string(svrl:text)", namespaces=SVRL).split())
                failures.append(FailedRule(node.get("id", "?"), node.get("flag", "fatal"), text))
        return failures

    def fatal(self, xml: bytes) -> list[FailedRule]:
        return [failure for failure in self.failed(xml) if failure.flag == "fatal"]
