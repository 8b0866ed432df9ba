"""One table of Spin cases, run against the expression-language nodes and the sandbox's own
JavaScript nodes: the two implementations must agree."""

from __future__ import annotations

ORDER = ('{"id": "A-1", "total": 12.5, "paid": false, "note": null, "lines": ['
         '{"sku": "x", "qty": 2, "price": 5}, {"sku": "y", "qty": 1, "price": 2.5}], '
         '"customer": {"name": "Ada", "tags": ["vip", "eu"]}}')
SOAP = ('<s:Envelope xmlns:s="urn:soap"><s:Body><r:Answer xmlns:r="urn:w" code="7">'
        '<r:Item n="1">first</r:Item><r:Item n="2">second &amp; last</r:Item>'
        '<Plain>p</Plain></r:Answer></s:Body></s:Envelope>')

# (document, chain on the node S(doc), expected value or "!<error text>")
CASES = [
    (ORDER, "prop('id').stringValue()", "A-1"),
    (ORDER, "prop('total').numberValue()", 12.5),
    (ORDER, "prop('paid').boolValue()", False),
    (ORDER, "prop('note').isNull()", True),
    (ORDER, "prop('lines').elements()[1].prop('sku').stringValue()", "y"),
    (ORDER, "prop('lines').elements().size()", 2),
    (ORDER, "prop('customer').prop('tags').elements()[0].stringValue()", "vip"),
    (ORDER, "hasProp('id')", True),
    (ORDER, "hasProp('nope')", False),
    (ORDER, "prop('customer').isObject()", True),
    (ORDER, "prop('lines').isArray()", True),
    (ORDER, "prop('customer').toString()", '{"name":"Ada","tags":["vip","eu"]}'),
    (ORDER, "jsonPath('$.customer.name').stringValue()", "Ada"),
    (ORDER, "jsonPath('$.lines[0].qty').numberValue()", 2),
    (ORDER, "jsonPath('$.lines[-1].sku').stringValue()", "y"),
    (ORDER, "jsonPath('$.lines[*].sku').elementList().size()", 2),
    (ORDER, "jsonPath('$..sku').elementList()[1].stringValue()", "y"),
    (ORDER, "jsonPath(\"$.lines[?(@.price > 3)].sku\").elementList()[0].stringValue()", "x"),
    (ORDER, "jsonPath(\"$.lines[?(@.sku == 'y' && @.qty == 1)]\").elementList().size()", 1),
    (ORDER, "jsonPath(\"$['customer']['tags'][1]\").stringValue()", "eu"),
    (ORDER, "jsonPath('$.lines[0:1]').elementList().size()", 1),
    (ORDER, "jsonPath('$.lines').element().elements().size()", 2),
    (ORDER, "prop('missing')", "!Unable to find 'missing'"),
    (ORDER, "prop('id').numberValue()", "!Expected 'Number', got 'STRING'"),
    (ORDER, "prop('id').elements()", "!not an array"),
    (ORDER, "jsonPath('$.nothing').stringValue()", "!Unable to find json path"),
    (ORDER, "jsonPath('$.id').elementList()", "!Unable to get element list"),
    ("[1, 2, 3]", "elements()[2].numberValue()", 3),
    ('"text"', "stringValue()", "text"),
    (SOAP, "name()", "Envelope"),
    (SOAP, "childElement('Body').childElement('urn:w', 'Answer').attr('code').value()", "7"),
    (SOAP, "childElement('Body').childElement('urn:w', 'Answer').childElements('Item').size()",
     2),
    (SOAP, "childElement('Body').childElement('urn:w', 'Answer').childElements('Item')[1]"
           ".textContent()", "second & last"),
    (SOAP, "childElement('Body').childElement('urn:w', 'Answer').childElement('', 'Plain')"
           ".textContent()", "p"),
    (SOAP, "childElement('Body').childElement('urn:w', 'Answer').hasAttr('code')", True),
    (SOAP, "childElement('Body').namespace()", "urn:soap"),
    (SOAP, "xPath('//w:Item[2]').ns('w', 'urn:w').element().textContent()", "second & last"),
    (SOAP, "xPath('//w:Item').ns('w', 'urn:w').elementList().size()", 2),
    (SOAP, "xPath('//w:Answer/@code').ns('w', 'urn:w').attribute().value()", "7"),
    (SOAP, "xPath(\"//w:Item[@n='1']\").ns('w', 'urn:w').element().textContent()", "first"),
    (SOAP, "xPath('/s:Envelope/s:Body/w:Answer/Plain').ns('s', 'urn:soap').ns('w', 'urn:w')"
           ".element().textContent()", "p"),
    (SOAP, "childElement('Nope')", "!Unable to find child element"),
    (SOAP, "childElement('Body').childElement('urn:w', 'Answer').childElement('Item')",
     "!More than one child element"),
    (SOAP, "attr('x')", "!Unable to find attribute"),
    ("<!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>", "name()", "!DTDs"),
]
