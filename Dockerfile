# Flightdeck: build with Maven, run on a slim JRE.

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
EXPOSE 8080 9091
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=70 -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError"
ENTRYPOINT ["java", "-jar", "/app/flightdeck.jar"]
CMD ["serve"]
