package io.sessionmirror.demo.boot;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.servlet.ServletListenerRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;

/**
 * An ordinary Spring Boot web shop. It knows nothing of session mirroring.
 * Run with {@code --server.servlet.context-path=/shop}; all mappings are relative.
 */
@SpringBootApplication
public class ShopApplication {

    private static final Logger LOG = LoggerFactory.getLogger(ShopApplication.class);

    public static void main(String[] args) {
        SpringApplication.run(ShopApplication.class, args);
    }

    /** Registers the session listener with the embedded servlet container. */
    @Bean
    public ServletListenerRegistrationBean<SessionStats> sessionStatsRegistration(SessionStats stats) {
        return new ServletListenerRegistrationBean<>(stats);
    }

    @EventListener(ApplicationReadyEvent.class)
    public void ready() {
        LOG.info("shop ready (server={})", ServerName.get());
    }
}
