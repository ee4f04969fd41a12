"""Every namespace normgraph writes or reads, one home: its own (the ontology, the identifiers, the named graphs)
and the W3C and community vocabularies it reuses. Plain strings, so that importing them costs nothing; the
loaders make RDF terms of them. `prov:` is W3C PROV-O everywhere; normgraph's provisions are `art:`."""
from __future__ import annotations

BASE = "https://w3id.org/normgraph"
NG = BASE + "#"
ID = BASE + "/id/"
GRAPH = BASE + "/graph/"
# Each ingested document is a named graph of its own, named by the document's IRI.
DOCUMENTS = ID + "document/"
# What the store's writer derives from each named graph (normgraph/derived.py) sits in a graph of its own here.
DERIVED = GRAPH + "derived/"
PROVISION = ID + "provision/"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SKOSXL = "http://www.w3.org/2008/05/skos-xl#"
DCT = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
ELI = "http://data.europa.eu/eli/ontology#"
SH = "http://www.w3.org/ns/shacl#"

# The prefixes exports and the SPARQL page write.
PREFIXES = {"ng": NG, "rdf": RDF, "rdfs": RDFS, "xsd": XSD, "skos": SKOS, "dct": DCT, "prov": PROV, "void": VOID,
            "dcat": DCAT, "owl": OWL, "eli": ELI, "art": PROVISION, "country": ID + "country/",
            "instrument": ID + "instrument/"}
