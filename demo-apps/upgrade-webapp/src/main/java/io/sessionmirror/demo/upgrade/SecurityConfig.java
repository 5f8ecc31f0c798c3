package io.sessionmirror.demo.upgrade;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Spring Security for {@code /secure/*} (web.xml maps the filter chain there; the rest of the app uses the
 * container's FORM login): a form login at {@code /secure/login}, one user {@code bob}/{@code secret}. The login
 * lives in the session as Spring Security keeps it: a {@code SecurityContext} in the attribute
 * {@code SPRING_SECURITY_CONTEXT}.
 */
@Configuration
@EnableWebSecurity
public class SecurityConfig {

    @Bean
    public SecurityFilterChain secured(HttpSecurity http) throws Exception {
        http.securityMatcher("/secure/**")
                .authorizeHttpRequests(pages -> pages.requestMatchers("/secure/login").permitAll()
                        .anyRequest().hasRole("SHOPPER"))
                .formLogin(form -> form.loginPage("/secure/login").loginProcessingUrl("/secure/login")
                        .defaultSuccessUrl("/secure/account"))
                // the test signs in with a plain POST; a CSRF token would be one more session attribute to fetch
                .csrf(csrf -> csrf.disable());
        return http.build();
    }

    @Bean
    public UserDetailsService users() {
        return new InMemoryUserDetailsManager(User.withUsername("bob").password("{noop}secret").roles("SHOPPER").build());
    }
}
