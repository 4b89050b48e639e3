// Starts Swagger UI on /schema from a file of ours (the page has no inline script, as our
// Content-Security-Policy wants). The schema's address and the CSRF cookie and header come
// from data- attributes; "Try it out" sends the CSRF header like the site's own scripts.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  var cookieName = root.getAttribute("data-csrf-cookie");
  var headerName = root.getAttribute("data-csrf-header");

  function csrfToken() {
    var prefix = cookieName + "=";
    var found = document.cookie.split("; ").find(function (row) {
      return row.indexOf(prefix) === 0;
    });
    return found ? decodeURIComponent(found.slice(prefix.length)) : null;
  }

  window.SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    domNode: root,
    deepLinking: true,
    validatorUrl: null,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    requestInterceptor: function (request) {
      var token = cookieName && headerName ? csrfToken() : null;
      if (token) {
        request.headers[headerName] = token;
      }
      return request;
    },
  });
})();
