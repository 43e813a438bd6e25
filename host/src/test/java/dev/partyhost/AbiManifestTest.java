package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.partyhost.guest.Abi;
import dev.partyhost.guest.Wasi;
import dev.partyhost.support.TestHost;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The host's bindings agree with abi/v1/abi.json, the machine-readable half of the spec. */
class AbiManifestTest {
  private static final JsonNode ABI = read();

  private static JsonNode read() {
    try {
      return new ObjectMapper().readTree(TestHost.root().resolve("abi/v1/abi.json").toFile());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void hostCallsMatchTheManifest() {
    assertEquals(signatures(ABI.get("imports")), describe(Abi.IMPORTS));
    assertEquals(Abi.IMPORT_MODULE, ABI.get("importModule").asText());
  }

  @Test
  void guestExportsMatchTheManifest() {
    assertEquals(signatures(ABI.get("exports")), describe(Abi.EXPORTS));
    List<String> required = new ArrayList<>();
    ABI.get("requiredExports").forEach(n -> required.add(n.asText()));
    assertEquals(List.of(Abi.MEMORY, Abi.ABI_VERSION, Abi.ALLOC), required);
  }

  @Test
  void statusCodesAndVersionMatchTheManifest() throws Exception {
    Map<String, Integer> expected = new TreeMap<>();
    ABI.get("status")
        .fields()
        .forEachRemaining(e -> expected.put(e.getKey(), e.getValue().asInt()));
    Map<String, Integer> actual = new TreeMap<>();
    for (String name : expected.keySet()) actual.put(name, Abi.class.getField(name).getInt(null));
    assertEquals(expected, actual);
    assertEquals(Abi.SUPPORTED_VERSIONS, java.util.Set.of(ABI.get("version").asInt()));
  }

  @Test
  void wasiSubsetMatchesTheManifest() {
    TreeSet<String> expected = new TreeSet<>();
    ABI.get("wasi").forEach(n -> expected.add(n.asText()));
    assertEquals(expected, new TreeSet<>(Abi.WASI_ALLOWED));
    assertEquals(expected, new TreeSet<>(Wasi.SIGNATURES.keySet()));
  }

  private static Map<String, String> signatures(JsonNode functions) {
    Map<String, String> out = new TreeMap<>();
    functions
        .fields()
        .forEachRemaining(
            e ->
                out.put(
                    e.getKey(),
                    e.getValue().get("params").toString()
                        + "->"
                        + e.getValue().get("results").toString()));
    return out;
  }

  private static Map<String, String> describe(Map<String, FunctionType> functions) {
    Map<String, String> out = new TreeMap<>();
    functions.forEach(
        (name, type) -> out.put(name, names(type.params()) + "->" + names(type.returns())));
    return out;
  }

  private static String names(List<ValType> types) {
    List<String> out = new ArrayList<>();
    for (ValType t : types) out.add("\"" + t.name().toLowerCase(java.util.Locale.ROOT) + "\"");
    return "[" + String.join(",", out) + "]";
  }
}
