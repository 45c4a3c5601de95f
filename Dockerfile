# Flightdeck: build with Maven, run on a slim JRE as a non-root user.
# Reproducible: pinned base images and Maven, fixed jar entry times (project.build.outputTimestamp).

FROM maven:3.9.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY conf conf
COPY src src
RUN mvn -B -q -DskipTests package

FROM eclipse-temurin:17.0.13_11-jre-jammy
RUN groupadd --system --gid 10001 flightdeck \
 && useradd --system --uid 10001 --gid flightdeck --home-dir /data --shell /usr/sbin/nologin flightdeck \
 && mkdir -p /data /app/conf && chown flightdeck:flightdeck /data
WORKDIR /app
COPY --from=build /src/target/flightdeck.jar /app/flightdeck.jar
COPY conf/flightdeck.json /app/conf/flightdeck.json
USER flightdeck
# SQLite database and generated tokens live here: mount a volume (fly.toml [mounts])
VOLUME /data
ENV FLIGHTDECK_STORE__DATA_DIR=/data \
    FLIGHTDECK_LOG_FORMAT=json
EXPOSE 8080 9091
# sized for a 512 MB machine: ~300 MB heap, bounded metaspace, code cache and thread stacks
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=60 -XX:MaxMetaspaceSize=96m -XX:ReservedCodeCacheSize=48m -Xss512k -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError"
ENTRYPOINT ["java", "-jar", "/app/flightdeck.jar"]
CMD ["serve"]
