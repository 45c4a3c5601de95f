package dev.flightdeck.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Collects every log line (formatted, with throwables) while open. */
public final class LogCapture implements AutoCloseable {

  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

  public LogCapture() {
    appender.start();
    root.addAppender(appender);
  }

  /** Each event as text: message, arguments and any throwable's messages. */
  public List<String> lines() {
    // ListAppender appends inside AppenderBase's synchronized doAppend, so the appender is the lock
    // (locking the list raced with event loops logging: a ConcurrentModificationException)
    synchronized (appender) {
      return appender.list.stream().map(LogCapture::text).toList();
    }
  }

  private static String text(ILoggingEvent e) {
    StringBuilder sb = new StringBuilder(e.getFormattedMessage());
    for (var t = e.getThrowableProxy(); t != null; t = t.getCause()) {
      sb.append(" | ").append(t.getClassName()).append(": ").append(t.getMessage());
    }
    return sb.toString();
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    appender.stop();
  }
}
