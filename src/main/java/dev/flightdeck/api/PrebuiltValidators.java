package dev.flightdeck.api;

import io.vertx.core.file.FileSystem;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.SchemaException;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.json.schema.Validator;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.OpenAPIVersion;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.contract.Path;
import io.vertx.openapi.contract.SecurityRequirement;
import io.vertx.openapi.contract.SecurityScheme;
import io.vertx.openapi.contract.Server;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The contract, with one schema validator built up front for every parameter and request body.
 * vertx-json-schema's repository builds a new validator on every call, and each copies the
 * repository's whole lookup table: that copy was most of what checking a job submission cost.
 * A validator keeps no state between calls, so one per schema serves every event loop.
 */
final class PrebuiltValidators implements OpenAPIContract {

  private final OpenAPIContract contract;
  private final SchemaRepository repository;

  PrebuiltValidators(OpenAPIContract contract) {
    this.contract = contract;
    SchemaRepository shared = contract.getSchemaRepository();
    Map<JsonSchema, Validator> built = new IdentityHashMap<>();
    for (Operation op : contract.operations()) {
      for (Parameter p : op.getParameters()) {
        if (p.getSchema() != null) {
          built.computeIfAbsent(p.getSchema(), shared::validator);
        }
      }
      if (op.getRequestBody() != null) {
        for (MediaType m : op.getRequestBody().getContent().values()) {
          if (m.getSchema() != null) {
            built.computeIfAbsent(m.getSchema(), shared::validator);
          }
        }
      }
    }
    this.repository = new Repository(shared, built);
  }

  @Override
  public SchemaRepository getSchemaRepository() {
    return repository;
  }

  @Override
  public Operation operation(String operationId) {
    return contract.operation(operationId);
  }

  @Override
  public List<Operation> operations() {
    return contract.operations();
  }

  @Override
  public List<Path> getPaths() {
    return contract.getPaths();
  }

  @Override
  public JsonObject getRawContract() {
    return contract.getRawContract();
  }

  @Override
  public OpenAPIVersion getVersion() {
    return contract.getVersion();
  }

  @Override
  public List<Server> getServers() {
    return contract.getServers();
  }

  @Override
  public Path findPath(String urlPath) {
    return contract.findPath(urlPath);
  }

  @Override
  public Operation findOperation(String urlPath, HttpMethod method) {
    return contract.findOperation(urlPath, method);
  }

  @Override
  public List<SecurityRequirement> getSecurityRequirements() {
    return contract.getSecurityRequirements();
  }

  @Override
  public SecurityScheme securityScheme(String name) {
    return contract.securityScheme(name);
  }

  /** Read-only after construction, so event loops share it without locks. */
  private record Repository(SchemaRepository shared, Map<JsonSchema, Validator> built) implements SchemaRepository {

    @Override
    public Validator validator(JsonSchema schema) {
      Validator v = built.get(schema);
      return v != null ? v : shared.validator(schema);
    }

    @Override
    public Validator validator(String ref) {
      return shared.validator(ref);
    }

    @Override
    public Validator validator(String ref, JsonSchemaOptions options) {
      return shared.validator(ref, options);
    }

    @Override
    public Validator validator(JsonSchema schema, JsonSchemaOptions options, boolean dereference) {
      return shared.validator(schema, options, dereference);
    }

    @Override
    public SchemaRepository dereference(JsonSchema schema) throws SchemaException {
      throw fixed();
    }

    @Override
    public SchemaRepository dereference(String uri, JsonSchema schema) throws SchemaException {
      throw fixed();
    }

    @Override
    public SchemaRepository preloadMetaSchema(FileSystem fs) {
      throw fixed();
    }

    @Override
    public SchemaRepository preloadMetaSchema(FileSystem fs, Draft draft) {
      throw fixed();
    }

    @Override
    public JsonObject resolve(JsonObject schema) {
      return shared.resolve(schema);
    }

    @Override
    public JsonSchema find(String pointer) {
      return shared.find(pointer);
    }

    private static UnsupportedOperationException fixed() {
      return new UnsupportedOperationException("the contract's schemas are fixed once it is loaded");
    }
  }
}
